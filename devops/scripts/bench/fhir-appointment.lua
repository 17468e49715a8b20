-- Scenario 2 through the FHIR API: the same appointments as FHIR R4 resources (GET /fhir/r4/Appointment/{id}),
-- rotating over many ids: token check, reach, one indexed read, the audit event, Firely's serializer.
local bench = require("common")

function init(args)
  bench.load(args)
end

function request()
  return bench.get_fhir_appointment()
end
