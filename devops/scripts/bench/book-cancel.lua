-- Scenario 5: book a free cell, then cancel that booking. Every booking uses a cell (practitioner and
-- time) of its own, so a 409 would mean the API refused a free slot.
local bench = require("common")

function init(args)
  bench.load(args)
end

function request()
  return bench.book_or_cancel()
end
