# Pashto (پښتو): the words around a campaign's own text, on pages and in emails to
# supporters. Status: draft, needs review by a native speaker (see TRANSLATIONS.md).
# Pashto letters throughout (ګ ښ ږ څ ځ ډ ټ ړ ڼ ې ۍ ئ), never their Persian look-alikes.

## The frame of every page
skip-link = منځپانګې ته ورشئ
language = ژبه
footer-note = دلته هېڅ څارونکي (ټرېکر) او د نورو لوریو سکرېپټونه نشته. ستاسو معلومات یوازې تنظیموونکي ویني.

## The campaign list
campaigns-heading = کمپاینونه
no-campaigns = اوس مهال هېڅ روان کمپاین نشته.

## The campaign page
signatures = لاسلیکونه
# Between groups of three digits in counts, while counts use Latin digits (CLDR: 50.000).
number-group-separator = .
jump-to-form = همدا اوس لاسلیک وکړئ
goal = موخه
progress-label = تر اوسه لاسلیکونه، د موخې پر لور
sign-heading = خپل نوم ورزیات کړئ
name = ستاسو نوم
email = د برېښنالیک پته
email-hint = ستاسو د لاسلیک د تایید لپاره تاسو ته یو برېښنالیک لېږو. ستاسو پته هېڅکله بل چا ته نه ورکول کېږي.
country = هغه هېواد چې تاسو پکې اوسېږئ
choose-country = خپل هېواد وټاکئ
postcode = پوستي کوډ
comment = نظر
comment-hint = کېدای شي ستاسو له نوم او هېواد سره په لیکونو کې رانقل شي.
optional = اختیاري
consent-label = موافقه
anonymous = زما لاسلیک وشمېرئ، خو زما نوم وزارتونو ته مه لېږئ
sign-button = لاسلیک کړئ
privacy-note = ستاسو د برېښنالیک پته او پوستي کوډ یوازې تنظیموونکي ویني. تاسو کولای شئ هر وخت د هغه لینک په مرسته چې ستاسو په رسید کې دی، خپل لاسلیک بېرته واخلئ.
errors-heading = یوه ستونزه شته
errors-intro = مهرباني وکړئ دا برخې وګورئ:
form-expired = د دې فورمې وخت تېر شوی و. مهرباني وکړئ خپل معلومات وګورئ او بیا د «لاسلیک کړئ» تڼۍ کېکاږئ.
closed-notice = دا کمپاین تړل شوی دی او نور لاسلیکونه نه مني.
# { $time } is like 18:00, { $zone } like UTC+1; the campaign's own time zone.
closes-on = لاسلیکونه تر { $day } { $month } { $year }، د { $time } بجو ({ $zone }) پورې راټولېږي.
month-1 = جنوري
month-2 = فبروري
month-3 = مارچ
month-4 = اپرېل
month-5 = مۍ
month-6 = جون
month-7 = جولای
month-8 = اګست
month-9 = سېپتمبر
month-10 = اکتوبر
month-11 = نومبر
month-12 = ډسمبر
content-language-note = دا کمپاین لا تر اوسه ستاسو په ژبه نشته؛ متن یې په { $language } ژبه ښودل کېږي.

## After signing
thanks-title = مهرباني وکړئ خپل برېښنالیک وګورئ
thanks-body = موږ تاسو ته یو برېښنالیک لېږلی دی. په هغه کې لینک پرانیزئ او د خپل لاسلیک د تایید لپاره تڼۍ کېکاږئ. ستاسو لاسلیک یوازې هغه وخت شمېرل کېږي چې تایید یې کړئ.
thanks-steps-heading = اوس څه وکړئ
thanks-step-open = د دې کمپاین برېښنالیک پرانیزئ.
thanks-step-link = په هغه کې پر لینک کلیک وکړئ.
thanks-step-confirm = د «{ confirm-button }» تڼۍ کېکاږئ.
thanks-spam = که څو دقیقې وروسته هم برېښنالیک نه وي راغلی، د سپم (Spam) فولډر وګورئ، یا بیا لاسلیک وکړئ: موږ برېښنالیک تر لسو دقیقو مخکې بیا نه لېږو.

## Confirming and withdrawing
confirm-title = خپل لاسلیک تایید کړئ
confirm-body = تڼۍ کېکاږئ، څو تایید کړئ چې دا غوښتنه مو لاسلیک کړې ده.
confirm-button = خپل لاسلیک تاییدوم
confirmed-title = مننه، ستاسو لاسلیک وشمېرل شو
confirmed-body = ستاسو لاسلیک تایید شو. موږ تاسو ته یو رسید ولېږه چې یو لینک پکې دی؛ که کله مو وغوښتل، د هغه په مرسته خپل لاسلیک بېرته اخیستلای شئ.
share-heading = له نورو وغواړئ چې لاسلیک وکړي
share-intro = دا کمپاین له هغو خلکو سره شریک کړئ چې پېژنئ یې:
share-email = برېښنالیک
share-copy = یا دا لینک کاپي کړئ:
link-invalid-title = دا لینک نور کار نه کوي
link-invalid-body = دا لینک نامعلوم دی یا یې وخت پای ته رسېدلی دی (د تایید لینکونه اوه ورځې اعتبار لري). تاسو کولای شئ په اسانۍ سره بیا لاسلیک وکړئ.
withdraw-title = خپل لاسلیک بېرته واخلئ
withdraw-body = د خپل لاسلیک د بېرته اخیستلو لپاره تڼۍ کېکاږئ. بیا به موږ ستاسو نوم، د برېښنالیک پته، پوستي کوډ او نظر پاک کړو، او ستاسو لاسلیک به نور نه شمېرل کېږي، نه به په لېستونو کې راځي او نه به لېږل کېږي. هغه لیکونه چې مخکې لېږل شوي دي، بېرته نه شي راګرځول کېدای.
withdraw-button = خپل لاسلیک بېرته اخلم
withdrawn-title = ستاسو لاسلیک بېرته واخیستل شو
withdrawn-body = موږ ستاسو شخصي معلومات له دې کمپاین څخه پاک کړل. هغه لیکونه چې مخکې لېږل شوي دي، بېرته نه شي راګرځول کېدای.
back-to-campaign = کمپاین ته ستنېدل

## Answers to a form that could not be taken
not-found-title = ونه موندل شو
not-found-body = په دې پته کومه پاڼه نشته.
unavailable-title = لنډمهاله نه چلېږي
unavailable-body = موږ اوس مهال غوښتنې نه شو منلای. مهرباني وکړئ یوه دقیقه وروسته بیا هڅه وکړئ.
unexpected-title = یوه ستونزه پېښه شوه
unexpected-body = مهرباني وکړئ وروسته بیا هڅه وکړئ.
bad-request-title = غوښتنه وګورئ
bad-request-body = دا غوښتنه په هغه بڼه چې ولېږل شوه، نه شوه کارول کېدای. مهرباني وکړئ بېرته لاړ شئ او بیا هڅه وکړئ.
unauthorized-title = ننوتل اړین دي
unauthorized-body = مهرباني وکړئ ننوځئ او بیا هڅه وکړئ.
conflict-title = په همدې منځ کې بدل شو
conflict-body = بل چا دا په همدې شېبه کې بدل کړ. مهرباني وکړئ بیا هڅه وکړئ.
unsupported-title = د فورمې دا کوډ بندي نه منل کېږي
unsupported-body = مهرباني وکړئ فورمه د application/x-www-form-urlencoded په بڼه ولېږئ.
too-large-title = ډېر زیات معلومات
too-large-body = فورمه له ۱۶ کیلوبایټه (KiB) لویه وه. مهرباني وکړئ خپل نظر لنډ کړئ او بیا هڅه وکړئ.
unreadable-title = فورمه نه لوستل کېږي
unreadable-body = د فورمې متن سم UTF-8 نه و. مهرباني وکړئ د کمپاین له پاڼې بیا هڅه وکړئ.
incomplete-title = نیمګړې فورمه
incomplete-body = فورمه نیمګړې ورسېده. مهرباني وکړئ بیا هڅه وکړئ.
compressed-title = کمپرس شوې فورمه
compressed-body = مهرباني وکړئ فورمه پرته له کمپرس کولو ولېږئ.
too-slow-title = فورمه ډېره ناوخته ورسېده
too-slow-body = فورمه په ۱۰ ثانیو کې ونه رسېده. مهرباني وکړئ بیا هڅه وکړئ.
too-many-title = ډېرې زیاتې غوښتنې
too-many-body = همدا اوس ستاسو له شبکې ډېر زیات لاسلیکونه راغلل. مهرباني وکړئ څو دقیقې وروسته بیا هڅه وکړئ.

## Field errors
err-missing = مهرباني وکړئ دا برخه ډکه کړئ.
err-too-long = مهرباني وکړئ تر { $max } تورو زیات مه لیکئ.
err-control = مهرباني وکړئ نوې کرښې او د کنټرول توري لرې کړئ.
err-direction = مهرباني وکړئ هغه نالیدل کېدونکي توري لرې کړئ چې د متن لوری بدلوي.
err-email = مهرباني وکړئ یوه سمه برېښنالیک پته ولیکئ، لکه name@example.org.
err-country = مهرباني وکړئ له لېست څخه یو هېواد وټاکئ.
err-disposable = مهرباني وکړئ داسې پته وکاروئ چې ساتئ یې: په یوه لنډمهاله پته به ونه شئ کولای خپل لاسلیک تایید کړئ یا یې وروسته بېرته واخلئ.
err-consent = مهرباني وکړئ موافقه وکړئ، څو ستاسو نوم له لیکونو سره ولېږل شي.

## Emails to supporters
mail-confirm-subject = مهرباني وکړئ خپل لاسلیک تایید کړئ
mail-greeting = سلام { $name }،
mail-confirm-body = د لاسلیک مننه. مهرباني وکړئ دا لینک پرانیزئ او په هغه پاڼه کې تڼۍ کېکاږئ، څو خپل لاسلیک تایید کړئ:
mail-confirm-button = خپل لاسلیک تایید کړئ
mail-confirm-ignore = که تاسو لاسلیک نه دی کړی، دا برېښنالیک له پامه وغورځوئ: پرته له تایید څخه ستاسو معلومات له ۳۰ ورځو وروسته پاکېږي.
mail-receipt-subject = ستاسو لاسلیک تایید شو
mail-receipt-body = مننه: ستاسو لاسلیک تایید او وشمېرل شو.
mail-withdraw-text = که کله مو وغوښتل چې خپل لاسلیک بېرته واخلئ او ستاسو معلومات پاک شي، دا لینک وکاروئ:
mail-withdraw-button = خپل لاسلیک بېرته واخلئ
mail-reminder-subject = یادونه: مهرباني وکړئ خپل لاسلیک تایید کړئ
mail-reminder-body = تاسو یو څه وخت مخکې لاسلیک کړی، خو ستاسو لاسلیک لا تایید شوی نه دی، نو ځکه نه شمېرل کېږي. مهرباني وکړئ دا لینک پرانیزئ او په هغه پاڼه کې تڼۍ کېکاږئ:
mail-reminder-ignore = دا لینک د پخواني برېښنالیک د لینک ځای نیسي. که تاسو لاسلیک نه دی کړی یا مو نظر بدل شوی، دا برېښنالیک له پامه وغورځوئ: پرته له تایید څخه ستاسو معلومات له ۳۰ ورځو وروسته پاکېږي.

## Letters to the targets
# Targets read German or English today; these are here so that a campaign may one day
# write to someone who reads Pashto, and so that every language has every key.
letter-signed-by = لاسلیکوونکی
letter-comment = د لاسلیکوونکي خبرې
letter-period-since = له { $date } راهیسې نوي لاسلیکونه
letter-period-first = تر { $date } پورې لاسلیکونه
letter-digest-counts = { $new } نوي لاسلیکونه، ټولټال { $total } لاسلیکونه
letter-by-country = نوي لاسلیکوونکي چېرته اوسېږي
letter-their-words = د هغوی په خپلو خبرو
letter-attached = د نویو لاسلیکوونکو نومونه او هېوادونه د CSV فایل په بڼه ضمیمه شوي دي.
letter-unnamed-total = هغه لاسلیکوونکي چې تر اوسه یې غوښتي نومونه یې یاد نه شي: { $count } ({ $countries }).
letter-unnamed-new = له نویو لاسلیکوونکو څخه { $count } تنو غوښتي چې نومونه یې یاد نه شي ({ $countries })؛ د دوی نومونه په دې لیک او ضمیمه لېست کې نشته.

## خبرپاڼه او ګډون لغوه کول
unsubscribe-title = خبرونه ودروئ
unsubscribe-body = تڼۍ کېکاږئ او موږ به نور د تنظیموونکو خبرونه تاسو ته ونه لېږو. ستاسو لاسلیک همداسې پاتې کېږي.
unsubscribe-button = د خبرونو ګډون لغوه کړئ
unsubscribed-title = تاسو به نور خبرونه ترلاسه نه کړئ
unsubscribed-body = ستاسو پته مو د خبرونو له لېست څخه لرې کړه. ستاسو لاسلیک لا هم شمېرل کېږي.
unsubscribe-invalid-title = دا لینک کار نه کوي
unsubscribe-invalid-body = د ګډون لغوه کولو لینک نامعلوم یا نیمګړی دی. ټول لینک له برېښنالیک څخه کاپي کړئ، یا د خپل برېښنالیک پروګرام د «ګډون لغوه کړئ» تڼۍ وکاروئ.
mail-mailing-why = تاسو دا برېښنالیک ځکه ترلاسه کوئ چې د لاسلیک پر وخت مو د خبرونو غوښتنه کړې وه.
mail-unsubscribe = ګډون لغوه کړئ

## The handover pack's PDF (src/handover/pack.rs), in the target's language.
handover-to = ترلاسه کوونکی:
handover-counts = لاسلیکونه
handover-total = تایید شوي لاسلیکونه: { $total }
handover-country = هېواد
handover-signatures = لاسلیکونه
handover-per-day = په هره ورځ لاسلیکونه
handover-chart-caption = له { $first } څخه تر { $last } پورې (UTC)؛ تر ټولو لوړ ستون په یوه ورځ کې { $max } لاسلیکونه ښيي.
handover-no-signatures = تر اوسه هېڅ لاسلیک نشته.
handover-endorsements = ملاتړي سازمانونه
handover-no-endorsements = تر اوسه هېڅ سازمان د دې غوښتنې ملاتړ نه دی کړی.
handover-signers = لاسلیکوونکي
handover-anonymous = هغه لاسلیکوونکي چې غوښتي یې دي نوم یې ونه ښودل شي: { $count }. دوی په پورته شمېر کې شمېرل شوي دي.
handover-footer = د «{ $campaign }» لاسلیکونو سپارل، په { $date } جوړ شوي
