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
porter-page-under-way = under way
porter-page-planned = next
porter-page-station = Pick up at { $station }, leave at { $time }
porter-page-bags = Bags to take
porter-page-floor = floor { $floor }
porter-page-door = door { $door }
porter-page-delivered = Delivered
porter-page-nobody-home = Nobody home
porter-page-cannot-reach = Cannot reach
porter-page-done = reported
porter-page-queued = { $n } report(s) waiting to be sent (sent when the network is back)
porter-page-offline = Network down: reports kept, sent later
porter-page-refresh = Refresh
