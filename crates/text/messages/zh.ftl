# 人们读到的文字：调度单、未派送的原因和建议。每条消息在 en.ftl 中都有对应。

## 调度单

sheet-tricycle-title = 三轮车 { $number } — { $area }
sheet-porter-title = 搬运员 { $number } — { $area }
# 大门装货：{ $stations } 是各站名，以顿号分隔
sheet-gate-load = { $time }  大门：装 { $bags } 袋，{ $kg } 公斤，送往 { $stations }
sheet-station-unload = { $time }  { $station }：卸 { $bags } 袋，{ $kg } 公斤（{ $orders }）
sheet-back-at-gate = { $time }  回到大门
sheet-take = { $time }  { $station } 站：取 { $items }
sheet-item = { $order }（{ $kg } 公斤）
sheet-climb = { $time }    → { $stairwell }：上楼；{ $drops }
sheet-drop = { $floor }楼 送 { $order }
sheet-drop-door = { $floor }楼 送 { $order }（{ $door }）
sheet-back-at = { $time }  回到 { $station }
sheet-list-separator = 、
sheet-drop-separator = ；
# 门牌：纯数字的门牌读作“502室”
door-number = { $door }室

## 未派送的原因

reason-no_station_reaches = 没有开放的中转站能步行到达该住户
reason-porter_energy = 搬运员本班体力已用完
reason-fleet_limit = 车队限制（每人外出次数、每站人数）使无人可派
reason-no_fleet = 车队中没有搬运员或三轮车
reason-station_storage = 中转站存放已满
reason-held = 暂缓一轮，与即将到来的同单元订单一起上楼

## 建议的做法

action-no_station_reaches = 开放一个步行可达该住户的中转站，或修正小区的道路
action-porter_energy = 增加一名搬运员，或把订单留到下一班
action-fleet_limit = 放宽每人外出次数或每站人数，或把订单留到下一轮
action-no_fleet = 为车队增加三轮车和搬运员
action-station_storage = 提高该站的存放上限，或开放另一个中转站
action-held = 无需处理：下一轮随加入的订单一起送出

## 搬运员的手机页面

porter-page-title = 搬运员 { $porter }
porter-page-none = 现在没有外出任务。新计划出来后会显示在这里。
porter-page-outing = 第 { $n } 趟（共 { $of } 趟）
porter-page-under-way = 进行中
porter-page-planned = 待出发
porter-page-station = 在 { $station } 取件，{ $time } 出发
porter-page-bags = 要拿的袋子
porter-page-floor = { $floor }楼
porter-page-door = { $door }室
porter-page-delivered = 已送达
porter-page-nobody-home = 无人在家
porter-page-cannot-reach = 无法到达
porter-page-done = 已报告
porter-page-queued = { $n } 条报告等待发送（网络恢复后自动发出）
porter-page-offline = 网络断开：报告已保存，稍后发送
porter-page-refresh = 刷新
