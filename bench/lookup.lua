-- wrk script: POST the status lookup with a random bench receipt number each time.
-- Receipt numbers follow portal.benchdata.bench_receipt_number(index).
local prefixes = {"MSC", "EAC", "WAC", "LIN", "SRC", "IOE", "YSC"}
local cases = tonumber(os.getenv("BENCH_CASES") or "1000000")
local path = os.getenv("BENCH_PATH") or "/en/status"
local bad = 0

function setup(thread)
  thread:set("id", math.random(1, 1000000))
end

function init(args)
  math.randomseed(id)
end

function request()
  local index = math.random(0, cases - 1)
  local receipt = prefixes[(index % 7) + 1] .. string.format("%010d", 3000000000 + math.floor(index / 7))
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded"},
                    "receipt_number=" .. receipt)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("non-200 answer: " .. status .. "\n") end
  end
end
