-- wrk script of bench/load_bench.py: each request takes the next path of the
-- file given after "--" (then the number of wrk threads); the threads
-- interleave, so no path is asked twice while the file lasts and no cache
-- can answer. Prints the run's figures as one JSON line.
local made = 0

function setup(thread)
  thread:set("id", made)
  made = made + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  step = tonumber(args[2])
  index = id
end

function request()
  local path = paths[(index % #paths) + 1]
  index = index + step
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
