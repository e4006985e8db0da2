# What people read: dispatch sheets, why orders were left out and what to do. Every message
# has its counterpart in zh.ftl.

## Dispatch sheets

sheet-tricycle-title = Tricycle { $number } — { $area }
sheet-porter-title = Porter { $number } — { $area }
sheet-gate-load = { $time }  Gate: load { $bags } bags, { $kg } kg, for { $stations }
sheet-station-unload = { $time }  { $station }: unload { $bags } bags, { $kg } kg ({ $orders })
sheet-back-at-gate = { $time }  back at the gate
sheet-take = { $time }  Station { $station }: take { $items }
sheet-item = { $order } ({ $kg } kg)
sheet-climb = { $time }    → { $stairwell }: climb; { $drops }
sheet-drop = { $floor }F drop { $order }
sheet-drop-door = { $floor }F drop { $order } ({ $door })
sheet-back-at = { $time }  back at { $station }
sheet-list-separator = {", "}
sheet-drop-separator = {"; "}
door-number = { $door }

## Why an order was left out

reason-no_station_reaches = no open station reaches the household on foot
reason-porter_energy = the porters' shift energy is spent
reason-fleet_limit = the fleet's limits (outings per porter, porters per station) leave no porter for it
reason-no_fleet = no porter or no tricycle in the fleet
reason-station_storage = the station's storage is full
reason-held = held for a cycle, to share a climb with orders expected at its stairwell

## What to do about it

action-no_station_reaches = open a station that reaches the household on foot, or fix the area's lanes
action-porter_energy = add a porter or carry the order over to the next shift
action-fleet_limit = allow more outings per porter or more porters per station, or carry it over
action-no_fleet = add tricycles and porters to the fleet
action-station_storage = raise the station's storage or open another station
action-held = nothing: it goes out next cycle with the orders that join it

## The porter's phone page

porter-page-title = Porter { $porter }
porter-page-none = No outing now. The next plan's will show here.
porter-page-outing = Outing { $n } of { $of }
porter-page-station = Pick up at { $station }, leave at { $time }
porter-page-bags = Bags to take
porter-page-floor = floor { $floor }
porter-page-door = door { $door }
porter-page-delivered = Delivered
porter-page-nobody-home = Nobody home
porter-page-cannot-reach = Cannot reach

## What every page shares

page-offline = Network down: reports kept, sent later
page-queued = { $n } report(s) waiting to be sent (sent when the network is back)
page-refresh = Refresh
page-done = reported
page-bag = { $label } · { $kg } kg
page-under-way = under way
page-planned = next
page-list-separator = {", "}
page-taken = { $n } order(s) taken
page-refused = { $n } problem(s): nothing of the list was taken; fix them and send it again
page-refused-outside = The list names households outside your buildings: nothing of it was taken
page-line = line { $n }
page-choose-file = Choose a file
page-report-refused = Report not taken: { $what } ({ $why })
page-seen = Understood
page-closest = The closest addresses: { $addresses }
page-detail = Details
page-old-link = made with an old link; report it again from the new one
page-colon = {": "}

## Where an order stands

status-waiting = waiting at the gate
status-at_station = at station { $station }
status-out_for_delivery = out with porter { $porter }
status-delivered = delivered
status-cancelled = cancelled
status-refused = not taken

## What is wrong with an order

problem-E301 = the order is not written as it should be
problem-E302 = the order id is used twice
problem-E303 = no such household
problem-E304 = a bag's weight or volume is wrong
problem-E305 = a bag is too heavy for one porter
problem-E306 = no such station
problem-E307 = the order has no bags
problem-E308 = the fleet file is wrong
problem-E309 = no station is open
problem-E310 = the order id is not allowed
problem-E311 = the order is too large
problem-E312 = too many orders from this household today
problem-E313 = the address names no household (the closest addresses are listed)
problem-E314 = the address names several households: add the unit
problem-E315 = not a household of your buildings

## Priorities

priority-normal = normal
priority-need = special need (infants, the elderly)
priority-medicine = medicine

## Why a door was not answered

failure-nobody_home = nobody home
failure-isolated = resident isolated, cannot take it now
failure-cannot_reach = cannot reach

## The tricycle driver's phone page

driver-page-title = Tricycle { $tricycle }
driver-page-none = No trip now. The next plan's will show here.
driver-page-trip = Trip { $n } of { $of }
driver-page-leave = Leave the gate at { $time }
driver-page-on-the-way = departed
driver-page-departed = Departed
driver-page-stop = Station { $station }, about { $time }
driver-page-load = unload { $bags } bag(s), { $kg } kg
driver-page-unloaded = Unloaded

## The building leader's page

leader-page-title = Building leader: { $buildings }
leader-page-new = Add an order
leader-page-address = Address (such as 4号楼 1单元 502)
leader-page-items = Goods (optional)
leader-page-kg = Weight (kg)
leader-page-priority = Priority
leader-page-send = Send
leader-page-list = Upload a list of orders
leader-page-list-help = Excel (.xlsx) or CSV, with the headers order_id, address (or building, unit, door), placed_at, kg, label, priority. If one row is wrong, nothing is taken, and the wrong rows are listed.
leader-page-upload = Upload
leader-page-orders = Your buildings' orders

## The dispatcher's console

console-title = lastmetre dispatch
console-loading = loading…
console-map = area map
console-legend = Legend
console-plan = Plan
console-timeline = Cycle timeline
console-sheets = Dispatch sheets
console-print-all = Print every sheet (one person per page)
console-sheets-need-dispatcher = Sheets carry household data: they need a dispatcher token.
console-plan-now = Plan
console-plan-now-button = Plan now
console-planned = Plan { $id } made
console-add = Add orders
console-address = Address (such as 4号楼 1单元 502) or household id
console-kg = Weight (kg)
console-items = Goods
console-priority = Priority
console-add-button = Add
console-upload = Upload a list (Excel .xlsx or CSV)
console-upload-button = Upload
console-unassigned = Orders left out
console-none-unassigned = No order left out this cycle
console-events = Report an event
console-lane = Lane (or pick it on the map)
console-lane-close = Close
console-lane-reopen = Reopen
console-porter = Porter
console-porter-off = Off duty
console-porter-on = On duty
console-station = Station
console-station-close = Close the station
console-order = Order id
console-failure = Why
console-failed = Report a failed delivery
console-event-taken = Recorded; the next plan uses it
console-orders = Orders
console-filter = Filter by order id or address
console-offline = Network down: nothing was sent; try again later
console-not-planned = No plan: no station reaches a household on foot; open a station
console-refused = Refused ({ $status }):
console-station-open = station { $ref }
console-station-site = candidate site { $ref }
console-gate = gate { $ref }
console-tricycle = Tricycle { $n }
console-porter-n = Porter { $n }
console-legend-lane = tricycle lane
console-legend-foot = on foot only
console-legend-station = open station
console-legend-closed = closed lane
console-legend-gate = gate
console-cycle-start = cycle start
console-checked = checked
console-feasible = feasible
console-violations = VIOLATIONS
console-delivered = orders delivered
console-of = { $n } of { $of }
console-trips = tricycle trips
console-climbs = stair climbs
console-metres = metres climbed
console-energy = porter energy, kJ
console-most-tired = most tired porter, kJ
console-last-drop = last drop
console-nothing = nothing to do this cycle
console-status = { $clock } · { $orders } orders · { $queued } waiting for the next plan · plan { $plan }
console-no-plan = none yet
console-need-token = open this page with ?token=… (a dispatcher or viewer token)

## What the service answers

error-invalid_input = Something is wrong: nothing was taken.
error-forbidden = This token may not do that.
error-not_yours = This is not your work.
error-outside_buildings = Not a household of your buildings: nothing was taken.
error-unsupported_media_type = Wrong kind of file: use Excel (.xlsx) or CSV.
error-not_found = Not found.
error-unauthorized = The token is not valid: open the link the dispatcher gave you again.
error-too_large = Too large: send it in parts.
error-body_timeout = The upload was too slow: try again.
error-idempotency_key_reused = A repeated request differs from the first.
error-idempotency_key_in_flight = The first request is still being applied: wait a moment.
error-ledger_down = The service's records are not available now: try again later.
error-ledger_failed = The service could not record it: try again later.
error-restart_needed = The service needs a restart: call its administrator.
error-planner_failed = Planning failed: call the service's administrator.
error-refused_event = The event was not taken.
error-internal = The service failed: call its administrator.
error-bad_json = Not valid JSON.
error-no_orders = No orders.
error-missing = Something required is missing.
error-bad_key = The request's key is not allowed.
error-bad_day = The date is not written as it should be.

## The plan's summary (command line)

summary-by-lastmetre = plan by lastmetre, cycle from { $start }, checked by the independent checker
summary-by-manual = plan by manual practice, cycle from { $start }, checked by the independent checker
summary-orders = orders      { $delivered } delivered of { $total } ({ $left } left out)
summary-left-out = {"  "}left out  { $order } ({ $why }): { $action }
summary-tricycles = tricycles   { $trips } trips, { $km } km
summary-porters = porters     { $outings } outings, { $climbs } stair climbs, { $metres } m climbed, { $km } km walked
summary-energy = energy      { $kj } kJ in all, { $most } kJ for the most tired porter
summary-last-drop = last drop   { $time }
summary-written = plan written to { $path }
