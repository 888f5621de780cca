-- wrk script for docs/load/soak.sh: POST one text per request, picked at random from BODIES (one JSON body per line,
-- mixed lengths), and count responses by status. Prints one JSON object at the end of the run.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do
    table.insert(bodies, line)
  end
  statuses = {}
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + #threads)
end

function request()
  return wrk.format("POST", "/api/classify", { ["Content-Type"] = "application/json" }, bodies[math.random(#bodies)])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('{"requests":%d,"seconds":%.3f,"p50Ms":%.2f,"p99Ms":%.2f,"socketErrors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, table.concat(parts, ",")))
end
