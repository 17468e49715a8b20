-- Shared by the wrk scenarios of bench.sh: test data, request builders, status counting and the
-- report line. A scenario script does `local bench = require("common")` (bench.sh puts this
-- directory on LUA_PATH) and defines request(). Script arguments: the data directory that bench.sh
-- wrote (tokens and id lists) and the number of wrk threads.
local bench = {}

local threads = {}

-- Runs in the main interpreter once per wrk thread, before the threads start.
function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

ok, non2xx, created, cancelled, conflicts, last_cell = 0, 0, 0, 0, 0, 0
statuses = {}

local function read_lines(path)
  local lines = {}
  local file = io.open(path, "r")
  if not file then
    return lines
  end
  for line in file:lines() do
    if line ~= "" then
      local fields = {}
      for field in line:gmatch("%S+") do
        table.insert(fields, field)
      end
      table.insert(lines, fields)
    end
  end
  file:close()
  return lines
end

local function read_token(dir, name)
  local lines = read_lines(dir .. "/" .. name .. ".token")
  return lines[1] and lines[1][1] or ""
end

-- Loads what every scenario may use; called from init(args) in each thread.
function bench.load(args)
  local dir = args[1]
  bench.admin = "Bearer " .. read_token(dir, "admin")
  bench.patient = "Bearer " .. read_token(dir, "patient")
  bench.appointments = read_lines(dir .. "/appointments.txt")
  bench.availability = read_lines(dir .. "/availability.txt")
  bench.cells = read_lines(dir .. "/cells.txt")
  bench.from = (read_lines(dir .. "/now.txt")[1] or { "2000-01-01T00:00:00Z" })[1]
  -- Threads start at different places in the lists; booking cells are split between threads.
  local index = thread_index or 0
  bench.next_appointment = 1 + (index * 7919) % math.max(1, #bench.appointments)
  bench.next_availability = 1 + (index * 104729) % math.max(1, #bench.availability)
  bench.next_cell = 1 + index
  bench.cell_step = math.max(1, tonumber(args[2]) or 1)
  bench.to_cancel = {}
end

function bench.get_appointment()
  local row = bench.appointments[bench.next_appointment]
  bench.next_appointment = bench.next_appointment % #bench.appointments + 1
  return wrk.format("GET", "/api/v1/clinics/" .. row[1] .. "/appointments/" .. row[2], { ["Authorization"] = bench.admin })
end

function bench.get_fhir_appointment()
  local row = bench.appointments[bench.next_appointment]
  bench.next_appointment = bench.next_appointment % #bench.appointments + 1
  return wrk.format("GET", "/fhir/r4/Appointment/" .. row[2], { ["Authorization"] = bench.admin })
end

function bench.get_availability()
  local row = bench.availability[bench.next_availability]
  bench.next_availability = bench.next_availability % #bench.availability + 1
  local path = "/api/v1/clinics/" .. row[1] .. "/practitioners/" .. row[2] .. "/availability?appointmentTypeId=" .. row[3]
    .. "&from=" .. row[4] .. "&to=" .. row[5]
  return wrk.format("GET", path, { ["Authorization"] = bench.admin })
end

function bench.get_upcoming()
  return wrk.format("GET", "/api/v1/me/appointments?from=" .. bench.from, { ["Authorization"] = bench.patient })
end

-- Books the thread's next cell of its own; once answered, the booking is cancelled by a later request.
function bench.book_or_cancel()
  local pending = table.remove(bench.to_cancel)
  local headers = { ["Authorization"] = bench.admin, ["Content-Type"] = "application/json" }
  if pending then
    return wrk.format("POST", "/api/v1/clinics/" .. pending[1] .. "/appointments/" .. pending[2] .. "/cancel", headers,
      '{"reason":"Load test cancellation"}')
  end
  local cell = bench.cells[bench.next_cell]
  if not cell then
    -- Out of cells: reusing one could conflict, so ask for something harmless and let the report show it.
    bench.exhausted = true
    return wrk.format("GET", "/health")
  end
  last_cell = math.max(last_cell, bench.next_cell)
  bench.next_cell = bench.next_cell + bench.cell_step
  local body = '{"patientId":"' .. cell[3] .. '","practitionerId":"' .. cell[2] .. '","appointmentTypeId":"' .. cell[4]
    .. '","startsAt":"' .. cell[5] .. '"}'
  return wrk.format("POST", "/api/v1/clinics/" .. cell[1] .. "/appointments", headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
    if status == 409 then
      conflicts = conflicts + 1
    end
  end
  if status == 201 and body then
    local id = body:match('"id":"([0-9a-f%-]+)"')
    local clinic = body:match('"clinicId":"([0-9a-f%-]+)"')
    if id and clinic then
      created = created + 1
      table.insert(bench.to_cancel, { clinic, id })
    end
  elseif status == 200 and body and body:find("Load test cancellation", 1, true) then
    cancelled = cancelled + 1
  end
end

-- Runs in the main interpreter at the end: one machine-readable line that bench.sh parses.
function done(summary, latency, requests)
  local totals = { ok = 0, non2xx = 0, created = 0, cancelled = 0, conflicts = 0 }
  local codes = {}
  local highest_cell = 0
  for _, thread in ipairs(threads) do
    highest_cell = math.max(highest_cell, thread:get("last_cell") or 0)
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
    local seen = thread:get("statuses") or {}
    for code, count in pairs(seen) do
      codes[code] = (codes[code] or 0) + count
    end
  end
  local codes_text = ""
  for code, count in pairs(codes) do
    codes_text = codes_text .. code .. ":" .. count .. ","
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f ok=%d non2xx=%d socket_errors=%d timeouts=%d created=%d cancelled=%d conflicts=%d last_cell=%d statuses=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    totals.ok, totals.non2xx, errors.connect + errors.read + errors.write, errors.timeout,
    totals.created, totals.cancelled, totals.conflicts, highest_cell, codes_text == "" and "-" or codes_text))
end

return bench
