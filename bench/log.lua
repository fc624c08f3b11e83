-- wrk script: GET a random access-log page as a random signed-in bench applicant.
-- BENCH_COOKIES names a file of Cookie header values (one signed session per line), BENCH_PATHS a
-- file of page URLs (filters and real "Older entries" cursors); BENCH_PATH, when set, replaces
-- them (the bare Flask baseline). Anything but a 200 is counted and reported on stderr.
local fixed = os.getenv("BENCH_PATH")
local cookies, paths = {}, {}
local bad = 0
local threads = {}

local function lines(name)
  local found = {}
  for line in io.lines(name) do
    if line ~= "" then found[#found + 1] = line end
  end
  return found
end

function setup(thread)
  thread:set("id", math.random(1, 1000000))
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id)
  cookies = lines(os.getenv("BENCH_COOKIES"))
  if not fixed then paths = lines(os.getenv("BENCH_PATHS")) end
end

function request()
  local path = fixed or paths[math.random(#paths)]
  return wrk.format("GET", path, {["Cookie"] = cookies[math.random(#cookies)]})
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("non-200 answer: " .. status .. "\n") end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("bad") or 0) end
  if total > 0 then io.stderr:write(total .. " non-200 answers in all\n") end
end
