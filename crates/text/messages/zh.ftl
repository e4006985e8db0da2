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
porter-page-station = 在 { $station } 取件，{ $time } 出发
porter-page-bags = 要拿的袋子
porter-page-floor = { $floor }楼
porter-page-door = { $door }室
porter-page-delivered = 已送达
porter-page-nobody-home = 无人在家
porter-page-cannot-reach = 无法到达

## 各页面共用

page-offline = 网络断开：报告已保存，稍后发送
page-queued = { $n } 条报告等待发送（网络恢复后自动发出）
page-refresh = 刷新
page-done = 已报告
page-bag = { $label } · { $kg } 公斤
page-under-way = 进行中
page-planned = 待出发
page-list-separator = 、
page-taken = 已收下 { $n } 个订单
page-refused = 有 { $n } 处问题，整份清单都没有收下；改正后再提交
page-refused-outside = 清单中有不属于您负责楼栋的住户，整份清单都没有收下
page-line = 第 { $n } 行
page-choose-file = 选择文件
page-report-refused = 报告没有被接受：{ $what }（{ $why }）
page-seen = 知道了
page-closest = 最接近的地址：{ $addresses }
page-detail = 详情
page-old-link = 这条报告是用旧的链接做的；请用新链接重新报告
page-colon = ：

## 订单的状态

status-waiting = 在大门等待
status-at_station = 在中转站 { $station }
status-out_for_delivery = 搬运员 { $porter } 正在送
status-delivered = 已送达
status-cancelled = 已取消
status-refused = 未能接收

## 订单的问题

problem-E301 = 订单写法有误
problem-E302 = 订单号重复
problem-E303 = 找不到这个住户
problem-E304 = 袋子的重量或体积不对
problem-E305 = 袋子太重，一个人搬不动
problem-E306 = 没有这个中转站
problem-E307 = 订单里没有袋子
problem-E308 = 车队文件有误
problem-E309 = 没有开放的中转站
problem-E310 = 订单号不合规
problem-E311 = 订单太大
problem-E312 = 这户今天的订单太多
problem-E313 = 地址找不到住户（下面列出最接近的地址）
problem-E314 = 地址对应多户，请写上单元
problem-E315 = 不是您负责楼栋的住户

## 优先级

priority-normal = 普通
priority-need = 特需（婴幼儿、老人等）
priority-medicine = 药品

## 送不到的原因

failure-nobody_home = 无人在家
failure-isolated = 住户隔离，暂不能接收
failure-cannot_reach = 无法到达

## 三轮车司机的手机页面

driver-page-title = 三轮车 { $tricycle }
driver-page-none = 现在没有运输任务。新计划出来后会显示在这里。
driver-page-trip = 第 { $n } 趟（共 { $of } 趟）
driver-page-leave = { $time } 从大门出发
driver-page-on-the-way = 已出发
driver-page-departed = 已出发
driver-page-stop = { $station } 站，约 { $time } 到
driver-page-load = 卸 { $bags } 袋，{ $kg } 公斤
driver-page-unloaded = 已卸货

## 楼长的页面

leader-page-title = 楼长：{ $buildings }
leader-page-new = 登记一个订单
leader-page-address = 地址（如：4号楼 1单元 502）
leader-page-items = 物品（可不填）
leader-page-kg = 重量（公斤）
leader-page-priority = 优先级
leader-page-send = 提交
leader-page-list = 上传订单表
leader-page-list-help = Excel（.xlsx）或 CSV，表头：订单号、地址（或 楼号、单元、门牌）、下单时间、重量、物品、优先级。有一行出错，整份都不收，错行会列出来。
leader-page-upload = 上传
leader-page-orders = 本楼的订单

## 调度台

console-title = lastmetre 调度台
console-loading = 正在加载…
console-map = 小区地图
console-legend = 图例
console-plan = 本轮计划
console-timeline = 本轮时间线
console-sheets = 调度单
console-print-all = 打印全部调度单（每人一页）
console-sheets-need-dispatcher = 调度单含住户信息，需要调度员的令牌。
console-plan-now = 计划
console-plan-now-button = 立即重新计划
console-planned = 已做出计划 { $id }
console-add = 添加订单
console-address = 地址（如：4号楼 1单元 502）或住户编号
console-kg = 重量（公斤）
console-items = 物品
console-priority = 优先级
console-add-button = 添加
console-upload = 上传订单表（Excel .xlsx 或 CSV）
console-upload-button = 上传
console-unassigned = 未派送的订单
console-none-unassigned = 本轮没有未派送的订单
console-events = 报告事件
console-lane = 道路（可在地图上点选）
console-lane-close = 封闭
console-lane-reopen = 重新开放
console-porter = 搬运员
console-porter-off = 下班
console-porter-on = 上班
console-station = 中转站
console-station-close = 关闭中转站
console-order = 订单号
console-failure = 原因
console-failed = 报告送不到
console-event-taken = 已记录，下一次计划会用到
console-orders = 订单
console-filter = 按订单号或地址筛选
console-offline = 网络断开：没有发出，请稍后再试
console-not-planned = 没有做出计划：没有中转站能步行到达住户，请开放一个中转站
console-refused = 未接受（{ $status }）：
console-station-open = 中转站 { $ref }
console-station-site = 可设中转站的地点 { $ref }
console-gate = 大门 { $ref }
console-tricycle = 三轮车 { $n }
console-porter-n = 搬运员 { $n }
console-legend-lane = 三轮车可走的道路
console-legend-foot = 只能步行
console-legend-station = 开放的中转站
console-legend-closed = 封闭的道路
console-legend-gate = 大门
console-cycle-start = 本轮开始
console-checked = 独立检查
console-feasible = 通过
console-violations = 有违规
console-delivered = 送达订单
console-of = { $n } / { $of }
console-trips = 三轮车趟数
console-climbs = 上楼次数
console-metres = 爬升米数
console-energy = 搬运员体力（千焦）
console-most-tired = 最累的搬运员（千焦）
console-last-drop = 最后一单送达
console-nothing = 本轮没有任务
console-status = { $clock } · { $orders } 个订单 · { $queued } 个等待下一次计划 · 计划 { $plan }
console-no-plan = 暂无
console-need-token = 请用 ?token=… 打开本页（调度员或查看者的令牌）

## 服务的答复

error-invalid_input = 内容有误，什么都没有收下。
error-forbidden = 这个令牌没有这项权限。
error-not_yours = 这不是您的任务。
error-outside_buildings = 不是您负责楼栋的住户，什么都没有收下。
error-unsupported_media_type = 文件类型不对：请用 Excel（.xlsx）或 CSV。
error-not_found = 找不到。
error-unauthorized = 令牌无效，请重新打开调度员给的链接。
error-too_large = 内容太大，请分成几份。
error-body_timeout = 上传太慢，请再试一次。
error-idempotency_key_reused = 重复的请求与第一次不同。
error-idempotency_key_in_flight = 上一次提交还在处理，请稍候。
error-ledger_down = 服务的记录暂时不可用，请稍后再试。
error-ledger_failed = 服务未能记下，请稍后再试。
error-restart_needed = 服务需要重启，请联系管理员。
error-planner_failed = 计划失败，请联系管理员。
error-refused_event = 这个事件没有被接受。
error-internal = 服务出错，请联系管理员。
error-bad_json = 内容不是有效的 JSON。
error-no_orders = 没有订单。
error-missing = 缺少必填的内容。
error-bad_key = 请求的标识不合规。
error-bad_day = 日期写法不对。

## 计划的摘要（命令行）

summary-by-lastmetre = lastmetre 的计划，本轮从 { $start } 开始，已经独立检查
summary-by-manual = 人工做法的计划，本轮从 { $start } 开始，已经独立检查
summary-orders = 订单        送达 { $delivered } / { $total }（{ $left } 个未派送）
summary-left-out = {"  "}未派送    { $order }（{ $why }）：{ $action }
summary-tricycles = 三轮车      { $trips } 趟，{ $km } 公里
summary-porters = 搬运员      外出 { $outings } 次，上楼 { $climbs } 次，爬升 { $metres } 米，步行 { $km } 公里
summary-energy = 体力        共 { $kj } 千焦，最累的搬运员 { $most } 千焦
summary-last-drop = 最后一单    { $time }
summary-written = 计划已写入 { $path }
