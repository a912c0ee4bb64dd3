-- wrk script for bench/load.sh: a weighted mix of pages, feeds and API calls, reads and
-- writes, over a site filled by `virgule demo` (members demo0000.., entries numbered from 0,
-- articles numbered from 1), and a count of the answers by status class and, for 4xx and
-- 5xx, by status and the API's error code.
--
-- Read from the environment (bench/load.sh sets them):
--   LOAD_MEMBERS   how many demo members the site has (10000)
--   LOAD_ENTRIES   entries per demo member (100)
--   LOAD_ARTICLES  how many articles (3000: `virgule demo` writes 3 for every 10 members)
--   LOAD_TOKENS    a file of "NAME TOKEN" lines: bearer tokens of ranked demo members, for
--                  the writes and the signed-in reads (without it, no writes are made)
--   LOAD_REPORT    a file where done() writes the counts as "key value" lines, for load.sh
--
-- The mix, in parts per thousand (writes 80, about 8%):
--   pages   front page 40, recent log 60, profile 60, diary page 90 (a third of them an
--           older page, ?start=N), one entry 120, article list 15, one article 40,
--           search 40                                                              = 465
--   feeds   person RSS 45, person Atom 45, person JSON Feed 30, recentlog.rss 40  = 160
--   API     a diary's entries 70, one entry 40, a person 30, the recent log 60 (a third
--           of them by a signed-in reader, with interest scores), search 45,
--           articles 50                                                           = 295
--   writes  (bearer tokens) a new entry 30, a reply to an entry 20, a certification
--           15, a diary rating (PUT) 15                                           = 80
-- A member is drawn from the whole site four times out of five and from the 200 nearest the
-- seed (the ranked, active ones) otherwise; half of the page and feed reads accept gzip.
-- Expected 4xx: 403 level_too_low on replies only. The certifications in the mix move the
-- seed's flow within seconds, so some writers ranked when their token was made fall below
-- Apprentice during the run (on SQLite, 30 of 200 did in five minutes). Any other 4xx is
-- worth a look.

local members = tonumber(os.getenv("LOAD_MEMBERS") or "") or 10000
local entries = tonumber(os.getenv("LOAD_ENTRIES") or "") or 100
local articles = tonumber(os.getenv("LOAD_ARTICLES") or "") or 3000
local tokens_file = os.getenv("LOAD_TOKENS") or ""
local report_file = os.getenv("LOAD_REPORT") or ""

local words = {
    "linux", "debian", "selinux", "kernel", "memory", "server", "storage", "android",
    "\"code of conduct\"", "letsencrypt", "sec*", "perf*", "upgrade -jessie", "mail server",
    "unikernels", "community", "raid", "btrfs", "zfs", "laptop",
}
local levels = { "apprentice", "journeyer", "master" }

-- Per thread (each thread runs its own copy of this script).
-- `counts` is a global so that done() can read each thread's copy with thread:get.
local writers = {}
counts = {}
local serial = 0

local function bump(key)
    counts[key] = (counts[key] or 0) + 1
end

local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("thread_id", #threads)
end

function init(args)
    math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
    if tokens_file ~= "" then
        local f = io.open(tokens_file, "r")
        if f then
            for line in f:lines() do
                local name, token = line:match("^(%S+)%s+(%S+)$")
                if name then
                    table.insert(writers, { name = name, token = token })
                end
            end
            f:close()
        end
    end
end

local function member()
    if math.random() < 0.2 then
        return string.format("demo%04d", math.random(0, math.min(members, 200) - 1))
    end
    return string.format("demo%04d", math.random(0, members - 1))
end

local function urlencode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

local function page(path)
    if math.random() < 0.5 then
        return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip" })
    end
    return wrk.format("GET", path, {})
end

local function json(method, path, writer, body)
    return wrk.format(method, path, {
        ["Authorization"] = "Bearer " .. writer.token,
        ["Content-Type"] = "application/json",
    }, body)
end

local function other_than(name)
    local m = member()
    while m == name do
        m = member()
    end
    return m
end

-- One request of each kind; the weights are in `mix` below.
local kinds = {
    front = function() return page("/") end,
    recentlog = function() return page("/recentlog.html") end,
    profile = function() return page("/person/" .. member() .. "/") end,
    diary = function()
        local path = "/person/" .. member() .. "/diary.html"
        if math.random() < 1 / 3 then
            path = path .. "?start=" .. math.random(0, math.max(entries - 10, 0))
        end
        return page(path)
    end,
    entry = function()
        return page(string.format("/person/%s/diary/%d.html", member(), math.random(0, entries - 1)))
    end,
    article_list = function() return page("/article/") end,
    article = function() return page(string.format("/article/%d.html", math.random(1, articles))) end,
    search = function() return page("/search?q=" .. urlencode(words[math.random(#words)])) end,
    rss = function() return page("/person/" .. member() .. "/rss.xml") end,
    atom = function() return page("/person/" .. member() .. "/atom.xml") end,
    feed_json = function() return page("/person/" .. member() .. "/feed.json") end,
    recentlog_rss = function() return page("/recentlog.rss") end,
    api_entries = function()
        return wrk.format("GET", string.format("/api/v1/people/%s/entries?start=%d&limit=10",
            member(), math.random(0, math.max(entries - 10, 0))))
    end,
    api_entry = function()
        return wrk.format("GET", string.format("/api/v1/people/%s/entries/%d", member(),
            math.random(0, entries - 1)))
    end,
    api_person = function() return wrk.format("GET", "/api/v1/people/" .. member()) end,
    api_recentlog = function()
        if #writers > 0 and math.random() < 1 / 3 then
            local w = writers[math.random(#writers)]
            return wrk.format("GET", "/api/v1/recentlog?limit=20",
                { ["Authorization"] = "Bearer " .. w.token })
        end
        return wrk.format("GET", "/api/v1/recentlog?start=" .. math.random(0, 40))
    end,
    api_search = function()
        return wrk.format("GET", "/api/v1/search?q=" .. urlencode(words[math.random(#words)]))
    end,
    api_articles = function()
        return wrk.format("GET", "/api/v1/articles?start=" .. math.random(0, math.max(articles - 10, 0)))
    end,
    write_entry = function(w)
        serial = serial + 1
        local body = string.format(
            '{"title":"Load test %d-%d","body":"A line written under load by **%s**, ' ..
            'number %d, about linux and storage.\\n\\nA second paragraph with a ' ..
            '[link](https://example.org/%d).","format":"markdown","tags":["load","bench"]}',
            thread_id or 0, serial, w.name, serial, serial)
        return json("POST", "/api/v1/entries", w, body)
    end,
    write_reply = function(w)
        serial = serial + 1
        local path = string.format("/api/v1/people/%s/entries/%d/replies", other_than(w.name),
            math.random(0, entries - 1))
        return json("POST", path, w, string.format(
            '{"body":"A reply under load, number %d-%d.","format":"markdown"}',
            thread_id or 0, serial))
    end,
    write_cert = function(w)
        return json("POST", "/api/v1/certs", w, string.format('{"subject":"%s","level":"%s"}',
            other_than(w.name), levels[math.random(#levels)]))
    end,
    write_rating = function(w)
        return json("PUT", "/api/v1/people/" .. other_than(w.name) .. "/rating", w,
            string.format('{"rating":%d}', math.random(1, 10)))
    end,
}

local mix = {
    { "front", 40 }, { "recentlog", 60 }, { "profile", 60 }, { "diary", 90 }, { "entry", 120 },
    { "article_list", 15 }, { "article", 40 }, { "search", 40 },
    { "rss", 45 }, { "atom", 45 }, { "feed_json", 30 }, { "recentlog_rss", 40 },
    { "api_entries", 70 }, { "api_entry", 40 }, { "api_person", 30 }, { "api_recentlog", 60 },
    { "api_search", 45 }, { "api_articles", 50 },
    { "write_entry", 30 }, { "write_reply", 20 }, { "write_cert", 15 }, { "write_rating", 15 },
}
local total_weight = 0
for _, m in ipairs(mix) do
    total_weight = total_weight + m[2]
end

function request()
    local r = math.random(total_weight)
    for _, m in ipairs(mix) do
        r = r - m[2]
        if r <= 0 then
            local kind = m[1]
            if kind:sub(1, 6) == "write_" then
                if #writers == 0 then
                    kind = "entry"
                else
                    bump("sent " .. kind)
                    return kinds[kind](writers[math.random(#writers)])
                end
            end
            bump("sent " .. kind)
            return kinds[kind]()
        end
    end
end

function response(status, headers, body)
    local class = math.floor(status / 100)
    bump("status " .. class .. "xx")
    if status == 201 then
        bump("created")
    end
    if class >= 4 then
        local code = body and body:match('"code"%s*:%s*"([^"]*)"') or "-"
        bump("error " .. status .. " " .. code)
    end
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        local c = thread:get("counts")
        for k, v in pairs(c or {}) do
            total[k] = (total[k] or 0) + v
        end
    end
    local keys = {}
    for k in pairs(total) do
        table.insert(keys, k)
    end
    table.sort(keys)
    local out = report_file ~= "" and io.open(report_file, "w") or nil
    io.write("load.lua counts:\n")
    for _, k in ipairs(keys) do
        io.write(string.format("  %-28s %d\n", k, total[k]))
        if out then
            out:write((k:gsub(" ", "_")), " ", total[k], "\n")
        end
    end
    if out then
        out:write("requests ", summary.requests, "\n")
        out:write("duration_us ", summary.duration, "\n")
        out:write("socket_errors ", summary.errors.connect + summary.errors.read +
            summary.errors.write + summary.errors.timeout, "\n")
        out:write("timeouts ", summary.errors.timeout, "\n")
        out:write("latency_p50_us ", latency:percentile(50), "\n")
        out:write("latency_p99_us ", latency:percentile(99), "\n")
        out:write("latency_max_us ", latency.max, "\n")
        out:close()
    end
end
