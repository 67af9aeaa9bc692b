"""The privacy scan reads a clean relation once, with one pattern per column (every
column in one aggregate); where a column matches, it still reports each finding with its
own count and masked example, in column order."""

import duckdb

from orchestration.quality.privacy import Finding, scan_relation


def test_one_scan_reports_every_finding_in_column_order():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """create table marts.x as select * from (values
            ('a@b.com', '555-234-5678', 'acct_555-234-5678', 1),
            ('zz@y.org', 'none', 'x', 2),
            ('fine', '(212) 555 0100', 'y', 3)
        ) t(note, phone_number, account_id, n)"""
    )
    assert scan_relation(con, "marts.x") == [
        Finding("marts.x", "note", "email value", 2, "a@b… (7 chars)"),
        Finding("marts.x", "phone_number", "personal column name", 0, "phone_number"),
        Finding("marts.x", "phone_number", "phone value", 2, "(21… (14 chars)"),
    ]


def test_a_relation_without_text_columns_has_no_value_findings():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.y as select 1 as n, 2.5 as amount")
    assert scan_relation(con, "marts.y") == []
