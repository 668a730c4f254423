# language: en
Feature: Contract performance: letters go to the archive, major issues go to the leaders
  《合同变更、履约管理制度》二（三）（四）: letters another department receives are passed on
  to the contract department's archive promptly; a major issue is reported on the
  《合同履行问题反馈表》 and the company's leaders decide.

  Background:
    Given the policy in docs/examples/contract-evidence
    And 周会计 holds the role cashier
    And 刘档案 holds the role archivist
    And 陈法务 holds the role legal

  Scenario: Only the archivist files a letter
    Given these facts:
      | time             | type              | case     | actor  | designated_payee | doc_no | department |
      | 2026-10-08 09:30 | contract.signed   | HT260102 | 李经办 | 某建材公司       |        |            |
      | 2026-10-27 09:00 | document.received | HT260102 | 吴行政 |                  | L2     | admin      |
      | 2026-10-28 10:00 | document.filed    | HT260102 | 吴行政 |                  | L2     |            |
      | 2026-10-29 09:30 | document.filed    | HT260102 | 刘档案 |                  | L2     |            |
    When evaluating 2026-10
    # due: the next working day after Tue 10-27, 2026-10-28 18:00; 吴行政 is not the archivist,
    # so his filing does not count; 刘档案 files it 10-29 09:30: 15h30m late
    Then the E3 violations are:
      | duty | case     | person | due              | late   | penalty | amount |
      | E3   | HT260102 | 吴行政 | 2026-10-28 18:00 | 15h30m | P1      | 50     |
    And 吴行政 pays 50 yuan
    And the notes include:
      """
      by 吴行政 does not count for E3
      """

  Scenario: A 150,000 yuan issue is major: reported the next day, decided by a leader
    Given these facts:
      | time             | type            | case     | actor  | designated_payee | amount | legal_risk |
      | 2026-10-08 09:30 | contract.signed | HT260102 | 李经办 | 某建材公司       |        |            |
      | 2026-10-19 10:00 | issue.found     | HT260102 | 李经办 |                  | 150000 | no         |
      | 2026-10-20 16:00 | issue.reported  | HT260102 | 李经办 |                  |        |            |
      | 2026-10-23 11:00 | issue.decided   | HT260102 | 王总   |                  |        |            |
    When evaluating 2026-10
    # the decision table: 150000 >= 100000, so the first rule gives "major": E5 applies, E6 not
    # E5 due Tue 2026-10-20 18:00, reported 16:00: on time
    # E7 due 5 working days after 10-20 (21, 22, 23, 26, 27): 2026-10-27 18:00; decided 10-23
    Then there are no E5, E6, E7 violations
    And 李经办 pays 0 yuan
