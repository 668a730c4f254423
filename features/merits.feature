# language: en
Feature: Merits for early delivery (M1)
  Each commitment (C1 plan, C2 build for acceptance, C3 completion) met before its committed day earns a
  merit: the number of working days after the day it was done, up to and including the committed day.
  Done on the committed day, or late: no merit. A merit belongs to the period of the committed day.

  Background:
    Given 杨宝珠 holds the role collector
    And 陈立 holds the role pm
    And 赵强 holds the role it_lead
    And every weekly report is on time

  Scenario Outline: Working days early on a plan (C1)
    Given these facts:
      | time        | type           | case     | actor | due   |
      | <estimated> | plan.estimated | 26101201 | 陈立  | <due> |
      | <delivered> | plan.delivered | 26101201 | 陈立  |       |
    When evaluating 2026-10
    Then the merits are:
      | person | duty | case     | days early |
      | 陈立   | C1   | 26101201 | <days>     |

    Examples:
      | estimated        | due        | delivered             | days |
      # done Thu 10-15, due Fri 10-16: working days after 10-15 up to 10-16 = 10-16 -> 1
      | 2026-10-12 10:00 | 2026-10-16 | 2026-10-15 17:00      | 1    |
      # done Mon 10-12: 10-13, 10-14, 10-15, 10-16 -> 4
      | 2026-10-12 10:00 | 2026-10-16 | 2026-10-12 17:00      | 4    |
      # done Wed 09-30, due Fri 10-09: 10-01 to 10-07 are National Day; 10-08, 10-09 -> 2
      | 2026-09-28 10:00 | 2026-10-09 | 2026-09-30 16:00      | 2    |
      # done Fri 10-09, due Mon 10-12: the adjusted working Saturday 10-10 counts; 10-10, 10-12 -> 2
      | 2026-10-08 10:00 | 2026-10-12 | 2026-10-09 17:00      | 2    |
      # done on Sunday 10-18, due Mon 10-19: 10-19 -> 1
      | 2026-10-12 10:00 | 2026-10-19 | 2026-10-18 (Sun) 11:00 | 1    |

  Scenario Outline: No merit on the committed day or late
    Given these facts:
      | time             | type           | case     | actor | due        |
      | 2026-10-12 10:00 | plan.estimated | 26101201 | 陈立  | 2026-10-16 |
      | <delivered>      | plan.delivered | 26101201 | 陈立  |            |
    When evaluating 2026-10
    Then there is no merit

    Examples:
      | delivered        |
      # on the committed day, even early in the morning: no working day in between
      | 2026-10-16 09:00 |
      # late
      | 2026-10-16 18:30 |
      | 2026-10-17 10:00 |

  Scenario: Merits on all three commitments of a requirement
    Given these facts:
      | time             | type                 | case     | actor  | due        | about      |
      | 2026-10-12 10:00 | plan.estimated       | 26101201 | 陈立   | 2026-10-16 |            |
      | 2026-10-14 16:00 | plan.delivered       | 26101201 | 陈立   |            |            |
      | 2026-10-15 10:00 | acceptance.estimated | 26101201 | 赵强   | 2026-10-23 |            |
      | 10:30            | completion.estimated | 26101201 | 陈立   | 2026-10-30 |            |
      | 11:00            | reporter.notified    | 26101201 | 杨宝珠 |            | estimate   |
      | 15:00            | requester.informed   | 26101201 | 李小四 |            | estimate   |
      | 2026-10-21 17:00 | build.handed_over    | 26101201 | 赵强   |            |            |
      | 2026-10-27 11:00 | requirement.accepted | 26101201 | 陈立   |            |            |
      | 11:10            | collector.notified   | 26101201 | 陈立   |            | completion |
      | 11:30            | reporter.notified    | 26101201 | 杨宝珠 |            | completion |
      | 16:00            | requester.informed   | 26101201 | 李小四 |            | completion |
    When evaluating 2026-10
    # R7: delivered 10-14 -> 10-15, 10-16 -> due 10-16 18:00, estimated 10-15; R8 10:00 + 1h, R9 10:30 + 1h,
    # R10 same day; R13 11:00 + 30m; R14 11:10 + 30m; R15 same day: all on time
    Then there is no violation
    # C1: done 10-14, due 10-16 -> 10-15, 10-16 = 2; C2: done 10-21, due 10-23 -> 10-22, 10-23 = 2;
    # C3: done 10-27, due 10-30 -> 10-28, 10-29, 10-30 = 3
    And the merits are:
      | person | duty | case     | days early | due              | done             |
      | 陈立   | C1   | 26101201 | 2          | 2026-10-16 18:00 | 2026-10-14 16:00 |
      | 赵强   | C2   | 26101201 | 2          | 2026-10-23 18:00 | 2026-10-21 17:00 |
      | 陈立   | C3   | 26101201 | 3          | 2026-10-30 18:00 | 2026-10-27 11:00 |

  Scenario: A merit belongs to the month of the committed day
    Given these facts:
      | time             | type           | case     | actor | due        |
      | 2026-09-28 10:00 | plan.estimated | 26092801 | 陈立  | 2026-10-09 |
      | 2026-09-30 16:00 | plan.delivered | 26092801 | 陈立  |            |
    When evaluating 2026-09
    Then there is no merit
    When evaluating 2026-10
    # 10-08, 10-09 -> 2
    Then the merits are:
      | person | duty | case     | days early |
      | 陈立   | C1   | 26092801 | 2          |
