-- Scenario 2: one appointment by id as a clinic administrator, rotating over many ids
-- (token check, permission, one indexed read, the audit event).
local bench = require("common")

function init(args)
  bench.load(args)
end

function request()
  return bench.get_appointment()
end
