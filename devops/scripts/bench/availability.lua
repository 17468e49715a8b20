-- Scenario 3: a practitioner's free slots over one week, rotating practitioners and weeks.
local bench = require("common")

function init(args)
  bench.load(args)
end

function request()
  return bench.get_availability()
end
