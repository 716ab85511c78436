-- wrk script: POST one answer per request, each with a ref of its own.
-- Usage: wrk -s bench/post.lua URL -- TOKEN PREFIX
-- Refs are PREFIX-THREAD-N, so no two requests of a run share one and the
-- "one answer per ref" rule never merges them; the collector's dedup of
-- answers without a ref does not apply either.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  prefix = args[2] or "bench"
  counter = 0
  headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    ["Origin"] = "https://shop.example",
  }
end

-- Three properties, as a shop sends them (counted per day by value).
local departments = {"north", "south", "east", "west", "online", "sønderjylland"}
local segments = {"private", "business"}

function request()
  counter = counter + 1
  local body = string.format(
    '{"token":"%s","score":%d,"ref":"%s-%d-%d","comment":"Quick delivery, friendly staff.",' ..
    '"properties":{"agent":"agent-%02d","department":"%s","segment":"%s"}}',
    token, counter % 11, prefix, thread_id, counter,
    counter % 40, departments[counter % 6 + 1], segments[counter % 2 + 1])
  return wrk.format("POST", "/api/v1/responses", headers, body)
end
