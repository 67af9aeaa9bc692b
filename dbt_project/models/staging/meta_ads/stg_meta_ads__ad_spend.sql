-- Meta daily campaign spend. The account is named as the Marketing API and clinics'
-- exports name it: act_<account id>.
{{ ad_platform_spend('meta_ads', account_id="'act_' || " ~ clean_text('account_id')) }}
