-- Projects (mod_virgule's /proj/NAME/): a name by the member-name rule, a Markdown
-- description, a homepage, a licence and the member who created it; and each member's
-- relation to a project (at most one per pair).

CREATE TABLE projects (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT NOT NULL UNIQUE,
    description_source  TEXT NOT NULL,
    description_html    TEXT NOT NULL,
    homepage            TEXT NOT NULL DEFAULT '',
    license             TEXT NOT NULL DEFAULT '',
    creator_id          INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE TABLE project_people (
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    relation    TEXT NOT NULL CHECK (relation IN
                    ('lead developer', 'developer', 'contributor', 'documenter', 'helper', 'user')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, member_id)
);
-- A member's projects, for the profile (a project's people read the primary key's prefix).
CREATE INDEX project_people_member ON project_people (member_id);
