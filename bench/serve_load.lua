-- wrk script of bench/bench_serve.py: POST each body of a file (one JSON
-- body per line) in turn, or GET when no file is given; print a JSON summary.
local bodies = {}
local n = 0

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      n = n + 1
      bodies[n] = line
    end
  end
  i = math.random(1, math.max(n, 1))
end

function request()
  if n == 0 then
    return wrk.format("GET")
  end
  i = i % n + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read,
    e.write, e.status, e.timeout))
end
