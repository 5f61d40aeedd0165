-- wrk script: POST development comments with unique ids, round robin over a prepared body file.
local bodies = {}
local counter = 0


function setup(thread)
  counter = counter + 1
  thread:set("prefix", "t" .. counter .. "-")
end

function init(args)
  for line in io.lines(os.getenv("MODERATO_LOAD_BODIES")) do
    bodies[#bodies + 1] = line
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("MODERATO_API_TOKEN")
  limit = tonumber(os.getenv("MODERATO_LOAD_PER_THREAD") or "")
end

local n = 0
function request()
  n = n + 1
  local template = bodies[(n % #bodies) + 1]
  local body = string.gsub(template, "__ID__", prefix .. n, 1)
  return wrk.format(nil, "/v1/comments", nil, body)
end

-- With MODERATO_LOAD_PER_THREAD=N, each thread stops after N requests (a fixed count instead of a duration).
function response(status, headers, body)
  if limit and n >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  io.write(string.format("wrk: %d requests, %d errors (status %d, timeout %d), p50 %.2f ms, p99 %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
