# language: en
Feature: The weekly new-requirement report (W1)
  Every week the collector sends the weekly report to the decision group by Friday 12:00.
  When that Friday is not a working day, the report is due 12:00 of the next working day.
  A late or missing report is a P3 violation (charged per month by the number of P3 violations).
  Weeks (Monday to Monday) are owed from the week of the scenario's first fact. A report belongs to the
  week it is sent in (a week whose deadline moved past Monday lasts until that deadline) and closes that
  week if it is still owed; otherwise it closes the oldest week still owed (a late catch-up report).

  Scenario Outline: The report is due Friday 12:00
    Given from 2026-10-12 09:00, 杨宝珠 holds the role collector
    And these facts:
      | time        | type                    | actor  |
      | <submitted> | weekly_report.submitted | 杨宝珠 |
    When evaluating as of 2026-10-16 18:00
    Then W1 due 2026-10-16 12:00 <verdict>
    And 杨宝珠 pays <fine> yuan

    Examples:
      # first Friday 12:00 at or after Mon 10-12 09:00 = Fri 10-16 12:00
      | submitted        | verdict            | fine |
      | 2026-10-12 10:00 | is on time         | 0    |
      | 2026-10-16 11:59 | is on time         | 0    |
      # exactly at the deadline is on time
      | 2026-10-16 12:00 | is on time         | 0    |
      # 12:01 - 12:00 = 1m -> P3, 1st in October -> 20 yuan
      | 2026-10-16 12:01 | is late by 1m      | 20   |
      # 15:30 - 12:00 = 3h30m
      | 2026-10-16 15:30 | is late by 3h30m   | 20   |

  Scenario Outline: A Friday that is a holiday moves the deadline to the next working day
    Given from <from>, 杨宝珠 holds the role collector
    And these facts:
      | time        | type                    | actor  |
      | <submitted> | weekly_report.submitted | 杨宝珠 |
    When evaluating as of <as of>
    Then W1 due <due> <verdict>

    Examples:
      | from             | submitted        | as of            | due              | verdict        |
      # Fri 10-02 is National Day; 10-03 to 10-07 are days off -> Thu 10-08 12:00
      | 2026-09-28 09:00 | 2026-10-08 11:00 | 2026-10-08 18:00 | 2026-10-08 12:00 | is on time     |
      # Fri 09-25 is Mid-Autumn; Sat 09-26, Sun 09-27 off -> Mon 09-28 12:00
      | 2026-09-21 09:00 | 2026-09-28 11:00 | 2026-09-28 18:00 | 2026-09-28 12:00 | is on time     |
      # a report sent early, before the holiday, counts for that week
      | 2026-09-21 09:00 | 2026-09-24 16:00 | 2026-09-28 18:00 | 2026-09-28 12:00 | is on time     |

    # A report exactly at a moved deadline is on time (at or before the deadline).
    Examples: exactly at the moved deadline
      | from             | submitted        | as of            | due              | verdict        |
      # Thu 10-08 12:00 is exactly the moved deadline of the week of Fri 10-02: on time
      | 2026-09-28 09:00 | 2026-10-08 12:00 | 2026-10-08 18:00 | 2026-10-08 12:00 | is on time     |

  Scenario: No report at all
    Given from 2026-10-12 09:00, 杨宝珠 holds the role collector
    When evaluating as of 2026-10-16 18:00
    # due Fri 10-16 12:00; 18:00 - 12:00 = 6h, still open
    Then W1 due 2026-10-16 12:00 is still open, late by 6h
    And 杨宝珠 pays 20 yuan

  Scenario: A report sent after a moved deadline counts for the week it is sent in
    Given from 2026-09-28 09:00, 杨宝珠 holds the role collector
    And these facts:
      | time             | type                    | actor  |
      | 2026-10-08 14:00 | weekly_report.submitted | 杨宝珠 |
    When evaluating as of 2026-10-09 18:00
    # week of Mon 09-28: Fri 10-02 is a holiday -> due Thu 10-08 12:00, the week lasts until then;
    # week of Mon 10-05: due Fri 10-09 12:00. Thu 10-08 14:00 is in the week of 10-05, which is
    # still owed, so it closes that week; the week of 09-28 stays owed:
    # 10-09 18:00 - 10-08 12:00 = 1d6h
    Then W1 due 2026-10-08 12:00 is still open, late by 1d6h
    And W1 due 2026-10-09 12:00 is on time
    And 杨宝珠 pays 20 yuan

  Scenario: A late catch-up report closes the oldest week still owed
    Given from 2026-10-12 09:00, 杨宝珠 holds the role collector
    And these facts:
      | time             | type                    | actor  |
      | 2026-10-20 10:00 | weekly_report.submitted | 杨宝珠 |
      | 2026-10-21 10:00 | weekly_report.submitted | 杨宝珠 |
    When evaluating as of 2026-10-23 18:00
    # week of Mon 10-12 (due Fri 10-16 12:00) was missed; week of Mon 10-19 is due Fri 10-23 12:00.
    # Tue 10-20 10:00 is in the week of 10-19, still owed: it closes that week, on time.
    # Wed 10-21 10:00: the week of 10-19 is closed, so it closes the oldest week still owed,
    # the week of 10-12: 10-21 10:00 - 10-16 12:00 = 4d22h late
    Then W1 due 2026-10-16 12:00 is late by 4d22h
    And W1 due 2026-10-23 12:00 is on time
    And 杨宝珠 pays 20 yuan

  Scenario: A month of weekly reports, one late
    Given from 2026-10-01 09:00, 杨宝珠 holds the role collector
    # fills in only the W2 and W3 reports: the W1 reports are the facts below
    And every weekly report is on time
    And these facts:
      | time             | type                    | actor  | note                                  |
      | 2026-10-08 10:00 | weekly_report.submitted | 杨宝珠 | week of Fri 10-02 (holiday): due 10-08 12:00 |
      | 2026-10-09 10:30 | weekly_report.submitted | 杨宝珠 | week of Fri 10-09                     |
      | 2026-10-16 15:30 | weekly_report.submitted | 杨宝珠 | week of Fri 10-16: 3h30m late         |
      | 2026-10-23 11:00 | weekly_report.submitted | 杨宝珠 | week of Fri 10-23                     |
      | 2026-10-30 11:00 | weekly_report.submitted | 杨宝珠 | week of Fri 10-30                     |
    When evaluating 2026-10
    Then the violations are:
      | duty | case | person | due              | done             | late   | penalty | amount  |
      | W1   | -    | 杨宝珠 | 2026-10-16 12:00 | 2026-10-16 15:30 | 3h30m  | P3      | monthly |
    And the penalties are:
      | person | penalty | month   | count | amount | forfeit |
      | 杨宝珠 | P3      | 2026-10 | 1     | 20     | no      |
    # the next week starts Mon 11-02, after the evaluation time 11-01 00:00: no report owed yet;
    # November's month-end summary (W4, filled in only two hours before its deadline) has begun
    And the open duties are:
      | duty | case | person | due              | overdue |
      | W4   | -    | 杨宝珠 | 2026-11-30 18:00 | no      |

  Scenario: "Every weekly report is on time" fills in the reports
    Given 杨宝珠 holds the role collector
    And every weekly report is on time
    And these facts:
      | time             | type         | case      | actor  |
      | 2026-10-12 10:00 | bug.found    | B26101201 | 李小四 |
      | 2026-10-12 10:30 | bug.reported | B26101201 | 李小四 |
    When evaluating 2026-10
    Then there is no violation
    And 杨宝珠 pays 0 yuan
