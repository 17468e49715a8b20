-- Scenario 6: a mixed profile, 80% reads (appointment 40%, availability 20%, upcoming 20%) and
-- 20% writes (bookings and their cancellations).
local bench = require("common")
local counter = 0

function init(args)
  bench.load(args)
  counter = thread_index or 0
end

function request()
  counter = counter + 1
  local slot = counter % 10
  if slot < 4 then
    return bench.get_appointment()
  elseif slot < 6 then
    return bench.get_availability()
  elseif slot < 8 then
    return bench.get_upcoming()
  end
  return bench.book_or_cancel()
end
