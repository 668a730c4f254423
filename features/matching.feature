# language: zh-CN
功能: 谁有权做、禁止事项（在场景里改制度）
  事实匹配可以写「by」：只有指定角色（members 固定的一组人，或 assigned 角色当时的担任人）或
  指定人员做出的事实才算数；别人做的不算，评估提示里写明是哪条事实、谁做的、谁才有权。
  「prohibitions」一节写禁止事项：每条符合的事实本身就是一次违规，截止时间即事实的时间，
  按罚则计罚，计入事实所在的月份。

  背景:
    假如 杨宝珠 是 collector
    并且 陈立 是 pm
    并且 每周的周报都按时提交

  场景大纲: 决策组以外的人批准的延期不改截止时间
    假如 制度修改如下：
      """
      roles:
        approvers:
          name: 延期审批人
          members: [王总, 李总]
      duties:
        C1:
          extension:
            approved_by: {fact: delay.approved, where: {commitment: plan}, by: {role: approvers}}
      """
    并且 以下事实：
      | 时间             | 类型            | 编号     | 人员     | 承诺日期   | 承诺 | 新日期     |
      | 2026-10-12 11:00 | plan.estimated  | 26101201 | 陈立     | 2026-10-16 |      |            |
      | 2026-10-15 10:00 | delay.requested | 26101201 | 陈立     |            | plan | 2026-10-23 |
      | 2026-10-15 16:00 | delay.approved  | 26101201 | <批准人> |            | plan |            |
      | 2026-10-21 10:00 | plan.delivered  | 26101201 | 陈立     |            |      |            |
    当 评估 2026年10月
    那么 26101201 的 C1 <结论>
    并且 陈立 应缴纳 <罚款> 元

    例子:
      | 批准人 | 结论       | 罚款 |
      # 王总在审批人之列：新截止 10-23 18:00，10-21 交付按时
      | 王总   | 按时       | 0    |
      # 陈立不在审批人之列：批准不算，截止仍是 10-16 18:00；10-21 10:00 交付迟了 4d16h → P6 100 元
      | 陈立   | 迟了 4d16h | 100  |

  场景: 无权的批准写进评估提示
    假如 制度修改如下：
      """
      roles:
        approvers:
          name: 延期审批人
          members: [王总, 李总]
      duties:
        C1:
          extension:
            approved_by: {fact: delay.approved, where: {commitment: plan}, by: {role: approvers}}
      """
    并且 以下事实：
      | 时间             | 类型            | 编号     | 人员 | 承诺日期   | 承诺 | 新日期     |
      | 2026-10-12 11:00 | plan.estimated  | 26101201 | 陈立 | 2026-10-16 |      |            |
      | 2026-10-15 10:00 | delay.requested | 26101201 | 陈立 |            | plan | 2026-10-23 |
      | 2026-10-15 16:00 | delay.approved  | 26101201 | 陈立 |            | plan |            |
    当 评估 2026年10月
    那么 评估提示包括：
      """
      由 陈立 做出，不计入 C1
      只有 延期审批人（approvers） 的成员 王总, 李总 可以
      """

  场景: 现金付款是禁止事项，每次都是一条违规
    假如 制度修改如下：
      """
      fact_types:
        payment.made:
          name: 付款
          case: requirement
          attributes:
            method: {type: enum, values: [cash, bank]}
      prohibitions:
        X1:
          name: 现金支付
          clause: 合同履约、变更管理制度 三(二)
          fact: {fact: payment.made, where: {method: cash}}
          responsible: actor
          penalty: P1
      """
    并且 以下事实：
      | 时间             | 类型         | 编号     | 人员 | method |
      | 2026-09-30 10:00 | payment.made | 26093001 | 陈立 | cash   |
      | 2026-10-14 10:00 | payment.made | 26101201 | 陈立 | cash   |
      | 2026-10-15 10:00 | payment.made | 26101201 | 陈立 | bank   |
    当 评估 2026年10月
    # 9 月的现金付款不在 10 月；10-14 的一次违规按 P1 每次 20 元；转账不算
    那么 X1 的违规如下：
      | 职责 | 编号     | 人员 | 截止             | 金额 |
      | X1   | 26101201 | 陈立 | 2026-10-14 10:00 | 20   |
    并且 陈立 应缴纳 20 元
    并且 26101201 的 X1 违规说明包括：
      """
      禁止事项 X1 现金支付
      是 X1 禁止的
      """

  场景: 禁止事项按事实所在的月份计，不按是否“完成”
    假如 制度修改如下：
      """
      fact_types:
        payment.made:
          name: 付款
          case: requirement
          attributes:
            method: {type: enum, values: [cash, bank]}
      prohibitions:
        X1:
          name: 现金支付
          fact: {fact: payment.made, where: {method: cash}}
          responsible: actor
          penalty: P1
      """
    并且 以下事实：
      | 时间             | 类型         | 编号     | 人员 | method |
      | 2026-10-30 17:00 | payment.made | 26103001 | 陈立 | cash   |
      | 2026-11-02 10:00 | payment.made | 26110201 | 陈立 | cash   |
    当 评估 2026年11月
    # 只有 11-02 的一次在 11 月；10-30 的那次属于 10 月
    那么 处罚明细如下：
      | 人员 | 处罚 | 月份    | 次数 | 金额 |
      | 陈立 | P1   | 2026-11 | 1    | 20   |
    并且 陈立 应缴纳 20 元
