-- Scenario 4: the bench patient's upcoming appointments in every clinic (GET /api/v1/me/appointments).
local bench = require("common")

function init(args)
  bench.load(args)
end

function request()
  return bench.get_upcoming()
end
