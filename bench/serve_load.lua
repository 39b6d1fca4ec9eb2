-- wrk script of bench/bench_serve.py: POST each body of a file (one JSON
-- body per line) in turn, or GET when no file is given; print a JSON summary.
-- Every request is formatted once, in init: the load generator, which
-- shares the machine's cores with the server, spends as little as it can
-- per request, and as little on one route as on the other.
local requests = {}
local n = 0

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      n = n + 1
      requests[n] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, line)
    end
  else
    n = 1
    requests[1] = wrk.format("GET")
  end
  i = math.random(1, n)
end

function request()
  i = i % n + 1
  return requests[i]
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
