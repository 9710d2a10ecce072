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
form-used = دا فورمه مخکې لېږل شوې ده. که ستاسو لاسلیک لا نه دی ثبت شوی، خپل معلومات وګورئ او بیا د «لاسلیک کړئ» تڼۍ کېکاږئ.
embed-read-call = ټوله غوښتنه ولولئ (په نوې ټب کې پرانیستل کېږي)
closed-notice = دا کمپاین تړل شوی دی او نور لاسلیکونه نه مني.
# { $date } is like "1 March 2027" and { $time } like 18:00, both written by CLDR (src/i18n/cldr.rs);
# { $zone } like UTC+1, the campaign's own time zone.
closes-on = لاسلیکونه تر { $date }، د { $time } بجو ({ $zone }) پورې راټولېږي.
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
share-copy-button = لینک کاپي کړئ
share-copied = لینک کاپي شو
share-image-alt = { $title }: کمپاین او د هغو کسانو شمېر چې لاسلیک یې کړی
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
forbidden-title = اجازه نشته
forbidden-body = ستاسو د تنظیموونکي رول دا کار نه اجازه ورکوي. که تاسو ورته اړتیا لرئ، د دې سیسټم له یوه مالک څخه وغواړئ.
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
# { $date } is like "1 December 2026", written by CLDR.
mail-signed-on = تاسو په { $date } لاسلیک کړی دی.
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
unsubscribe-partner-body = تڼۍ کېکاږئ او موږ به نور د { $partner } خبرونه تاسو ته ونه لېږو. د کمپاین خپل خبرونه او ستاسو لاسلیک همداسې پاتې کېږي.
unsubscribe-button = د خبرونو ګډون لغوه کړئ
unsubscribed-title = تاسو به نور خبرونه ترلاسه نه کړئ
unsubscribed-body = ستاسو پته مو د خبرونو له لېست څخه لرې کړه. ستاسو لاسلیک لا هم شمېرل کېږي.
unsubscribed-partner-body = ستاسو پته مو د { $partner } د خبرونو له لېست څخه لرې کړه. د کمپاین خپل خبرونه به لا هم درته راځي، او ستاسو لاسلیک لا هم شمېرل کېږي.
unsubscribe-invalid-title = دا لینک کار نه کوي
unsubscribe-invalid-body = د ګډون لغوه کولو لینک نامعلوم یا نیمګړی دی. ټول لینک له برېښنالیک څخه کاپي کړئ، یا د خپل برېښنالیک پروګرام د «ګډون لغوه کړئ» تڼۍ وکاروئ.
mail-mailing-why = تاسو دا برېښنالیک ځکه ترلاسه کوئ چې د لاسلیک پر وخت مو د خبرونو غوښتنه کړې وه.
mail-partner-mailing-why = تاسو دا برېښنالیک ځکه ترلاسه کوئ چې د لاسلیک پر وخت مو له { $partner } څخه د خبرونو غوښتنه کړې وه.
mail-unsubscribe = ګډون لغوه کړئ

# د تنظیموونکو بلنې (مالک په بریښنالیک رابلي؛ لینک پټنوم ټاکي).
mail-invitation-heading = rallypost: د تنظیموونکو بلنه
mail-invitation-subject = تاسو د یوې کمپاین په تنظیمولو کې مرستې ته رابلل شوي یاست
mail-invitation-body = تاسو رابلل شوي یاست چې په rallypost کې د یوې کمپاین په تنظیمولو کې مرسته وکړئ. د خپل پټنوم ټاکلو لپاره دا لینک پرانیزئ.
mail-invitation-role = ستاسو رول:
mail-invitation-link = خپل پټنوم دلته وټاکئ:
mail-invitation-button = زما پټنوم وټاکئ
mail-invitation-expiry = دا لینک یوازې یو ځل او د 72 ساعتونو لپاره کار کوي. که تاسو د دې بلنې تمه نه درلوده، دا بریښنالیک له پامه وغورځوئ.
organizer-role-owner = مالک (هر څه، د تنظیموونکو اداره)
organizer-role-manager = مدیر (ټاکلې کمپاینونه)
organizer-role-partner = ملګرې اداره (یوه کمپاین، یوازې خپل ملاتړي)
organizer-role-viewer = کتونکی (یوازې شمېرې)
invitation-title = خپل پټنوم وټاکئ
invitation-intro = د خپل تنظیموونکي حساب لپاره لږ تر لږه 10 توري پټنوم وټاکئ.
invitation-password = پټنوم
invitation-password-again = همغه پټنوم بیا
invitation-submit = پټنوم خوندي کړئ
invitation-done-title = ستاسو پټنوم خوندي شو
invitation-done-body = اوس تاسو ننوتلی شئ.
invitation-sign-in = ننوتل
invitation-invalid-title = لینک سم نه دی
invitation-invalid-body = دا د بلنې لینک نور سم نه دی: یا مخکې کارول شوی، یا له 72 ساعتونو ډېر وخت تېر شوی. له هغه چا چې تاسو یې رابللي یاست، نوی لینک وغواړئ.
invitation-err-mismatch = دواړه پټنومونه یو شان نه دي.
invitation-err-short = پټنوم باید لږ تر لږه 10 توري ولري.
invitation-err-long = پټنوم باید له 1024 تورو ډېر ونه لري.
## ملاتړې ادارې
err-url = مهرباني وکړئ د یوې وېبپاڼې پته ولیکئ، لکه https://example.org.
endorsers-heading = د { $count_text } ادارو په ملاتړ
endorse-invite = ایا ستاسو اداره د دې غوښتنې ملاتړ کوي؟ خپل ملاتړ اعلان کړئ.
endorse-heading = د یوې ادارې په توګه ملاتړ
endorse-intro = ادارې کولای شي د دې غوښتنې ملاتړ وکړي. کله چې تنظیموونکو ستاسو ملاتړ ومانه، د ادارې نوم، وېبپاڼه او هېواد به د کمپاین په پاڼه او وزارتونو ته په لیکونو کې وښودل شي. د یوې ادارې ملاتړ لاسلیک نه دی او د لاسلیک په توګه نه شمېرل کېږي.
endorse-form-heading = ستاسو اداره
endorse-organisation = د ادارې نوم
endorse-website = وېبپاڼه
endorse-country = هغه هېواد چې اداره پکې مېشته ده
endorse-email = د اړیکې برېښنالیک پته
endorse-email-hint = د ملاتړ د تایید لپاره دې پتې ته یو برېښنالیک لېږو. دا پته یوازې تنظیموونکي ویني او هېڅکله نه خپرېږي.
endorse-button = د غوښتنې ملاتړ کوو
endorse-privacy = که تنظیموونکي دا ملاتړ ونه مني، یا تاسو وغواړئ چې لرې شي، د اړیکې پته پاکېږي.
endorse-sent-title = مهرباني وکړئ خپل برېښنالیک وګورئ
endorse-sent-body = موږ د اړیکې پتې ته یو برېښنالیک ولېږه. په هغه کې لینک پرانیزئ او تڼۍ کېکاږئ، څو ملاتړ تایید کړئ؛ بیا به یې تنظیموونکي وڅېړي.
endorse-confirm-title = ملاتړ تایید کړئ
endorse-confirm-body = تڼۍ کېکاږئ، څو تایید کړئ چې ستاسو اداره د دې غوښتنې ملاتړ کوي.
endorse-confirm-button = ملاتړ تاییدوم
endorse-confirmed-title = مننه، ملاتړ تایید شو
endorse-confirmed-body = تنظیموونکي به یې وڅېړي. کله چې ومنل شو، ستاسو اداره به د کمپاین په پاڼه او لیکونو کې راشي.
endorse-mail-subject = مهرباني وکړئ د خپلې ادارې ملاتړ تایید کړئ
endorse-mail-greeting = سلام { $organisation }،
endorse-mail-body = د دې غوښتنې د ملاتړ مننه. مهرباني وکړئ دا لینک پرانیزئ او په هغه پاڼه کې تڼۍ کېکاږئ، څو ملاتړ تایید کړئ:
endorse-mail-button = ملاتړ تایید کړئ
endorse-mail-ignore = که ستاسو په اداره کې چا دا نه وي غوښتي، دا برېښنالیک له پامه وغورځوئ: هغه ملاتړ چې تایید نه شي، هېڅکله نه خپرېږي.
letter-supported-by = د { $count_text } ادارو په ملاتړ: { $names }.

## د وزارتونو ځوابونه
replies-heading = وزارتونو څه ځواب ورکړ
reply-replied-on = { $target } په { $date } ځواب ورکړ.
reply-awaiting = { $target }: له { $date } راهیسې د ځواب په تمه.
reply-no-letter-yet = { $target }: تر اوسه کوم لیک نه دی لېږل شوی.
reply-summary-language-note = دا لنډیز ستاسو په ژبه نشته.
reply-mailing-subject = { $target } ځواب ورکړ
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
