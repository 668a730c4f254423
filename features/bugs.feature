# language: en
Feature: Bugs reported by users (B1, B2, B4)
  B1: the staff member a user told of a bug posts it to the feedback group the same day
      (by 18:00, or 18:00 of the next working day when found after 18:00 or on a day off); P1, 20 yuan.
  B2: the tester files a reproduced bug immediately (within 30 minutes); no penalty, but a violation.
  B4: the reporter tells the user the bug is fixed the same day the fix mail arrives; P2, 20 yuan.

  Background:
    Given 杨宝珠 holds the role collector
    And 孙婷 holds the role tester
    And every weekly report is on time

  Scenario Outline: B1 report the bug the same day
    Given these facts:
      | time       | type         | case      | actor  | requester |
      | <found>    | bug.found    | B26100901 | 李小四 | 王医生    |
      | <reported> | bug.reported | B26100901 | 李小四 |           |
    When evaluating 2026-10
    Then B1 of B26100901 <verdict>
    And 李小四 pays <fine> yuan

    Examples:
      | found            | reported         | verdict           | fine |
      # Fri 10:00, a working day before 18:00 -> Fri 10-09 18:00
      | 2026-10-09 10:00 | 2026-10-09 10:20 | is on time        | 0    |
      # Mon 10-12 09:00 - Fri 10-09 18:00 = 2d15h -> P1 20
      | 2026-10-09 10:00 | 2026-10-12 09:00 | is late by 2d15h  | 20   |
      # Tue 19:30 is after 18:00 -> next working day Wed 10-14 18:00
      | 2026-10-13 19:30 | 2026-10-14 09:10 | is on time        | 0    |
      # Sunday 10-18 -> Mon 10-19 18:00
      | 2026-10-18 15:00 | 2026-10-19 09:40 | is on time        | 0    |
      # Tue 10-20 09:00 - Mon 10-19 18:00 = 15h
      | 2026-10-18 15:00 | 2026-10-20 09:00 | is late by 15h    | 20   |
      # Sun 10-04 in the National Day week -> first working day Thu 10-08 18:00
      | 2026-10-04 11:00 | 2026-10-08 09:30 | is on time        | 0    |
      # exactly at the deadline 18:00 is on time
      | 2026-10-20 10:00 | 2026-10-20 18:00 | is on time        | 0    |

  Scenario Outline: B2 file a reproduced bug within 30 minutes
    Given these facts:
      | time         | type           | case      | actor |
      | <reproduced> | bug.reproduced | B26101901 | 孙婷  |
      | <filed>      | bug.filed      | B26101901 | 孙婷  |
    When evaluating 2026-10
    Then B2 of B26101901 <verdict>
    And 孙婷 pays 0 yuan

    Examples:
      | reproduced       | filed            | verdict          |
      # 11:00 + 30m = 11:30, exactly at the deadline
      | 2026-10-19 11:00 | 2026-10-19 11:30 | is on time       |
      # 11:31 - 11:30 = 1m
      | 2026-10-19 11:00 | 2026-10-19 11:31 | is late by 1m    |
      # 11:45 - 11:30 = 15m (B2 carries no penalty)
      | 2026-10-19 11:00 | 2026-10-19 11:45 | is late by 15m   |
      # "immediately" is wall clock, on a Saturday too: 16:00 + 30m = 16:30
      | 2026-10-17 16:00 | 2026-10-17 16:20 | is on time       |

  Scenario: A late B2 is a violation that costs nothing
    Given these facts:
      | time             | type           | case      | actor |
      | 2026-10-28 10:00 | bug.reproduced | B26102701 | 孙婷  |
      | 2026-10-28 11:00 | bug.filed      | B26102701 | 孙婷  |
    When evaluating 2026-10
    # 10:00 + 30m = 10:30; 11:00 - 10:30 = 30m
    Then the violations are:
      | duty | case      | person | due              | done             | late | penalty | amount | forfeit |
      | B2   | B26102701 | 孙婷   | 2026-10-28 10:30 | 2026-10-28 11:00 | 30m  | none    | 0      | no      |
    And 孙婷 pays 0 yuan

  Scenario Outline: B4 tell the user the bug is fixed the same day
    Given these facts:
      | time             | type               | case      | actor | requester | about  |
      | 2026-10-08 10:00 | bug.found          | B26100801 | 张三  | 许总      |        |
      | 2026-10-08 10:30 | bug.reported       | B26100801 | 张三  |           |        |
      | <fixed>          | bug.fixed          | B26100801 | 赵强  |           |        |
      | <informed>       | requester.informed | B26100801 | 张三  |           | bugfix |
    When evaluating 2026-10
    Then B4 of B26100801 <verdict>
    And 张三 pays <fine> yuan

    Examples:
      | fixed            | informed         | verdict          | fine |
      # Thu 10-15 11:00 -> same day 18:00
      | 2026-10-15 11:00 | 2026-10-15 17:00 | is on time       | 0    |
      # Fri 10-16 10:00 - Thu 10-15 18:00 = 16h -> P2 20
      | 2026-10-15 11:00 | 2026-10-16 10:00 | is late by 16h   | 20   |
      # fixed Wed 18:30, after hours -> Thu 10-22 18:00
      | 2026-10-21 18:30 | 2026-10-22 10:00 | is on time       | 0    |
      # fixed Fri 10-09 18:30 -> next working day is the adjusted working Saturday 10-10, 18:00;
      # Mon 10-12 09:00 - Sat 10-10 18:00 = 1d15h
      | 2026-10-09 18:30 | 2026-10-12 09:00 | is late by 1d15h | 20   |
      # fixed Saturday 10-17 (a day off) -> Mon 10-19 18:00, exactly at the deadline
      | 2026-10-17 10:00 | 2026-10-19 18:00 | is on time       | 0    |
