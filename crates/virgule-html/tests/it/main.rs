//! virgule-html's integration tests: the public entry points on whole posts.

mod unclosed;
