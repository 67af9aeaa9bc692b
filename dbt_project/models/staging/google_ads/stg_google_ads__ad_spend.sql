-- Google Ads daily campaign spend. The API's customer id (1234567890) is shown the way the
-- Google Ads UI and clinics' exports show it: 123-456-7890.
{%- set digits = clean_text('account_id') %}
{{ ad_platform_spend('google_ads', account_id=
    "case when length(" ~ digits ~ ") = 10 then substr(" ~ digits ~ ", 1, 3) || '-' || substr("
    ~ digits ~ ", 4, 3) || '-' || substr(" ~ digits ~ ", 7, 4) else " ~ digits ~ " end") }}
