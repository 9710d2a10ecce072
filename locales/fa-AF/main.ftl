# Dari (دری), the Afghan variety of Persian: the words around a campaign's own text,
# on pages and in emails to supporters. Status: draft, needs review by a native speaker
# (see TRANSLATIONS.md). Afghan usage: وزارت داخله, معلومات, فیصد, مکتب, کود پستی, فورم.

## The frame of every page
skip-link = رفتن به محتوا
language = زبان
footer-note = بدون ردیاب و بدون اسکریپت از جاهای دیگر. معلومات شما را تنها برگزارکنندگان می‌بینند.

## The campaign list
campaigns-heading = کمپاین‌ها
no-campaigns = فعلاً هیچ کمپاین جاری وجود ندارد.

## The campaign page
signatures = امضا
jump-to-form = همین حالا امضا کنید
goal = هدف
progress-label = امضاهای تا کنون، به سوی هدف
sign-heading = نام خود را اضافه کنید
name = نام شما
email = آدرس ایمیل
email-hint = برای تأیید امضای شما یک ایمیل برایتان می‌فرستیم. آدرس شما هرگز به کس دیگری داده نمی‌شود.
country = کشوری که در آن زندگی می‌کنید
choose-country = کشور خود را انتخاب کنید
postcode = کود پستی
comment = نظر
comment-hint = ممکن است همراه با نام و کشور شما در نامه‌ها نقل شود.
optional = اختیاری
consent-label = رضایت
anonymous = امضای مرا بشمارید، اما نام مرا به وزارت‌ها نفرستید
sign-button = امضا کنید
privacy-note = آدرس ایمیل و کود پستی شما را تنها برگزارکنندگان می‌بینند. هر وقت بخواهید، می‌توانید با لینکی که در رسید برایتان فرستاده می‌شود، امضای خود را پس بگیرید.
errors-heading = مشکلی پیش آمده است
errors-intro = لطفاً این بخش‌ها را بررسی کنید:
form-expired = وقت این فورم تمام شده بود. لطفاً معلومات خود را بررسی کنید و دوباره دکمهٔ «امضا کنید» را بزنید.
form-used = این فورم قبلاً فرستاده شده است. اگر امضای شما هنوز ثبت نشده، معلومات خود را بررسی کنید و دوباره دکمهٔ «امضا کنید» را بزنید.
embed-read-call = خواندن متن کامل درخواست (در یک تب جدید باز می‌شود)
closed-notice = این کمپاین بسته شده است و دیگر امضا نمی‌پذیرد.
# { $date } is like "1 March 2027" and { $time } like 18:00, both written by CLDR (src/i18n/cldr.rs);
# { $zone } like UTC+1, the campaign's own time zone.
closes-on = امضاها تا { $date }، ساعت { $time } ({ $zone }) جمع‌آوری می‌شوند.
content-language-note = این کمپاین هنوز به زبان شما در دسترس نیست؛ متن آن به زبان { $language } نمایش داده می‌شود.

## After signing
thanks-title = لطفاً ایمیل خود را ببینید
thanks-body = یک ایمیل برایتان فرستادیم. لینک داخل آن را باز کنید و برای تأیید امضای خود دکمه را بزنید. امضای شما تنها پس از تأیید شمرده می‌شود.
thanks-steps-heading = حالا چه باید کرد
thanks-step-open = ایمیل این کمپاین را باز کنید.
thanks-step-link = روی لینک داخل آن بزنید.
thanks-step-confirm = دکمهٔ «{ confirm-button }» را بزنید.
thanks-spam = اگر پس از چند دقیقه ایمیلی نرسید، پوشهٔ اسپم (Spam) را ببینید یا دوباره امضا کنید: ما ایمیل را حداکثر هر ده دقیقه یک بار دوباره می‌فرستیم.

## Confirming and withdrawing
confirm-title = امضای خود را تأیید کنید
confirm-body = دکمه را بزنید تا تأیید کنید که این درخواست را امضا کرده‌اید.
confirm-button = امضای خود را تأیید می‌کنم
confirmed-title = تشکر، امضای شما شمرده شد
confirmed-body = امضای شما تأیید شد. یک رسید برایتان فرستادیم که لینکی برای پس گرفتن امضا در آن است، اگر روزی بخواهید.
share-heading = از دیگران بخواهید امضا کنند
share-intro = این کمپاین را با آشنایان خود شریک بسازید:
share-email = ایمیل
share-copy = یا این لینک را کاپی کنید:
share-copy-button = کاپی لینک
share-copied = لینک کاپی شد
share-image-alt = { $title }: کمپاین و شمار کسانی که امضا کرده‌اند
link-invalid-title = این لینک دیگر کار نمی‌کند
link-invalid-body = این لینک شناخته نشد یا وقت آن گذشته است (لینک‌های تأیید هفت روز اعتبار دارند). می‌توانید به سادگی دوباره امضا کنید.
withdraw-title = پس گرفتن امضا
withdraw-body = برای پس گرفتن امضای خود دکمه را بزنید. پس از آن نام، آدرس ایمیل، کود پستی و نظر شما را پاک می‌کنیم و امضای شما دیگر شمرده نمی‌شود، در فهرست‌ها نمی‌آید و فرستاده نمی‌شود. نامه‌هایی که پیش‌تر فرستاده شده‌اند، پس گرفته نمی‌شوند.
withdraw-button = امضای خود را پس می‌گیرم
withdrawn-title = امضای شما پس گرفته شد
withdrawn-body = معلومات شخصی شما را از این کمپاین پاک کردیم. نامه‌هایی که پیش‌تر فرستاده شده‌اند، پس گرفته نمی‌شوند.
back-to-campaign = بازگشت به کمپاین

## Answers to a form that could not be taken
not-found-title = پیدا نشد
not-found-body = در این آدرس هیچ صفحه‌ای وجود ندارد.
forbidden-title = اجازه نیست
forbidden-body = نقش شما به عنوان برگزارکننده این کار را اجازه نمی‌دهد. اگر به آن نیاز دارید، از یکی از مالکان این سامانه بخواهید.
unavailable-title = موقتاً در دسترس نیست
unavailable-body = فعلاً نمی‌توانیم درخواست‌ها را بپذیریم. لطفاً یک دقیقه بعد دوباره کوشش کنید.
unexpected-title = مشکلی پیش آمد
unexpected-body = لطفاً بعداً دوباره کوشش کنید.
bad-request-title = درخواست را بررسی کنید
bad-request-body = این درخواست به شکلی که فرستاده شد قابل استفاده نبود. لطفاً برگردید و دوباره کوشش کنید.
unauthorized-title = ورود لازم است
unauthorized-body = لطفاً وارد حساب خود شوید و دوباره کوشش کنید.
conflict-title = در این میان تغییر کرد
conflict-body = کس دیگری در همین لحظه این را تغییر داد. لطفاً دوباره کوشش کنید.
unsupported-title = کدگذاری فورم پشتیبانی نمی‌شود
unsupported-body = لطفاً فورم را به شکل application/x-www-form-urlencoded بفرستید.
too-large-title = معلومات بیش از حد
too-large-body = فورم بزرگ‌تر از ۱۶ کیلوبایت (KiB) بود. لطفاً نظر خود را کوتاه‌تر کنید و دوباره کوشش کنید.
unreadable-title = فورم خوانده نشد
unreadable-body = معلومات فورم متن درست UTF-8 نبود. لطفاً از صفحهٔ کمپاین دوباره کوشش کنید.
incomplete-title = فورم ناقص
incomplete-body = فورم ناقص رسید. لطفاً دوباره کوشش کنید.
compressed-title = فورم فشرده
compressed-body = لطفاً فورم را بدون فشرده‌سازی بفرستید.
too-slow-title = فورم خیلی دیر رسید
too-slow-body = فورم در ۱۰ ثانیه نرسید. لطفاً دوباره کوشش کنید.
too-many-title = درخواست‌های بیش از حد
too-many-body = همین حالا امضاهای زیادی از شبکهٔ شما رسید. لطفاً چند دقیقه بعد دوباره کوشش کنید.

## Field errors
err-missing = لطفاً این بخش را پر کنید.
err-too-long = لطفاً بیشتر از { $max } حرف ننویسید.
err-control = لطفاً سطرهای جدید و حروف کنترلی را پاک کنید.
err-direction = لطفاً نشانه‌های نامرئی را که جهت نوشته را تغییر می‌دهند، پاک کنید.
err-email = لطفاً یک آدرس ایمیل درست بنویسید، مانند name@example.org.
err-country = لطفاً یک کشور را از فهرست انتخاب کنید.
err-disposable = لطفاً آدرسی را به کار ببرید که نگه می‌دارید: با یک آدرس یک‌بارمصرف نمی‌توانید امضای خود را تأیید کنید یا بعداً پس بگیرید.
err-consent = لطفاً موافقت کنید تا نام شما همراه نامه‌ها فرستاده شود.

## Emails to supporters
mail-confirm-subject = لطفاً امضای خود را تأیید کنید
mail-greeting = سلام { $name }،
mail-confirm-body = از اینکه امضا کردید تشکر. لطفاً این لینک را باز کنید و با زدن دکمه در آن صفحه، امضای خود را تأیید کنید:
mail-confirm-button = امضای خود را تأیید کنید
mail-confirm-ignore = اگر شما امضا نکرده‌اید، این ایمیل را نادیده بگیرید: بدون تأیید، معلومات شما پس از ۳۰ روز پاک می‌شود.
mail-receipt-subject = امضای شما تأیید شد
mail-receipt-body = تشکر: امضای شما تأیید و شمرده شد.
# { $date } is like "1 December 2026", written by CLDR.
mail-signed-on = شما به تاریخ { $date } امضا کردید.
mail-withdraw-text = اگر روزی خواستید امضای خود را پس بگیرید و معلومات شما پاک شود، از این لینک استفاده کنید:
mail-withdraw-button = امضای خود را پس بگیرید
mail-reminder-subject = یادآوری: لطفاً امضای خود را تأیید کنید
mail-reminder-body = شما چندی پیش امضا کردید، اما امضای شما هنوز تأیید نشده است و به همین دلیل شمرده نمی‌شود. لطفاً این لینک را باز کنید و دکمهٔ آن صفحه را بزنید:
mail-reminder-ignore = این لینک جای لینک ایمیل قبلی را می‌گیرد. اگر شما امضا نکرده‌اید یا نظرتان تغییر کرده است، این ایمیل را نادیده بگیرید: بدون تأیید، معلومات شما پس از ۳۰ روز پاک می‌شود.

## Letters to the targets
# Targets read German or English today; these are here so that a campaign may one day
# write to someone who reads Dari, and so that every language has every key.
letter-signed-by = امضاکننده
letter-comment = سخن امضاکننده
letter-period-since = امضاهای تازه از { $date } به این سو
letter-period-first = امضاها تا { $date }
letter-digest-counts = { $new } امضای تازه، در مجموع { $total } امضا
letter-by-country = امضاکنندگان تازه در کجا زندگی می‌کنند
letter-their-words = به گفتهٔ خودشان
letter-attached = نام و کشور امضاکنندگان تازه به شکل فایل CSV پیوست شده است.
letter-unnamed-total = امضاکنندگانی که تاکنون خواسته‌اند نام‌شان ذکر نشود: { $count } ({ $countries }).
letter-unnamed-new = از امضاکنندگان تازه، { $count } تن خواسته‌اند که نام‌شان ذکر نشود ({ $countries })؛ نام‌های آنان در این نامه و در فهرست پیوست نیامده است.

## خبرنامه و لغو اشتراک
unsubscribe-title = توقف خبرها
unsubscribe-body = دکمه را فشار دهید تا دیگر خبرهای برگزارکنندگان را برای شما نفرستیم. امضای شما به همان شکل باقی می‌ماند.
unsubscribe-partner-body = دکمه را فشار دهید تا دیگر خبرهای { $partner } را برای شما نفرستیم. خبرهای خود کمپاین و امضای شما به همان شکل باقی می‌ماند.
unsubscribe-button = لغو اشتراک خبرها
unsubscribed-title = دیگر خبری دریافت نمی‌کنید
unsubscribed-body = آدرس شما را از فهرست خبرها برداشتیم. امضای شما هنوز شمرده می‌شود.
unsubscribed-partner-body = آدرس شما را از فهرست خبرهای { $partner } برداشتیم. خبرهای خود کمپاین همچنان می‌رسد و امضای شما هنوز شمرده می‌شود.
unsubscribe-invalid-title = این لینک کار نمی‌کند
unsubscribe-invalid-body = لینک لغو اشتراک ناشناخته یا ناقص است. تمام لینک را از ایمیل کاپی کنید، یا از دکمهٔ «لغو اشتراک» در برنامهٔ ایمیل خود استفاده کنید.
mail-mailing-why = این ایمیل را دریافت می‌کنید چون هنگام امضا خواستید خبرها را بگیرید.
mail-partner-mailing-why = این ایمیل را دریافت می‌کنید چون هنگام امضا خواستید از { $partner } خبرها را بگیرید.
mail-unsubscribe = لغو اشتراک

# دعوت برگزارکنندگان (مالک با ایمیل دعوت می‌کند؛ لینک رمز عبور را تعیین می‌کند).
mail-invitation-heading = rallypost: دعوت برای برگزارکنندگان
mail-invitation-subject = شما برای همکاری در برگزاری یک کارزار دعوت شده‌اید
mail-invitation-body = شما دعوت شده‌اید تا در rallypost در برگزاری یک کارزار کمک کنید. برای انتخاب رمز عبور خود، این لینک را باز کنید.
mail-invitation-role = نقش شما:
mail-invitation-link = رمز عبور خود را اینجا انتخاب کنید:
mail-invitation-button = انتخاب رمز عبور
mail-invitation-expiry = این لینک تنها یک بار و برای 72 ساعت کار می‌کند. اگر منتظر این دعوت نبودید، این ایمیل را نادیده بگیرید.
organizer-role-owner = مالک (همه چیز، مدیریت برگزارکنندگان)
organizer-role-manager = مدیر (کارزارهای مشخص)
organizer-role-partner = سازمان همکار (یک کارزار، تنها حامیان خودش)
organizer-role-viewer = بیننده (تنها شمار)
invitation-title = رمز عبور خود را انتخاب کنید
invitation-intro = برای حساب برگزارکنندهٔ خود رمز عبوری با دست‌کم 10 نویسه انتخاب کنید.
invitation-password = رمز عبور
invitation-password-again = همان رمز عبور، دوباره
invitation-submit = ذخیرهٔ رمز عبور
invitation-done-title = رمز عبور شما ذخیره شد
invitation-done-body = اکنون می‌توانید وارد شوید.
invitation-sign-in = ورود
invitation-invalid-title = لینک معتبر نیست
invitation-invalid-body = این لینک دعوت دیگر معتبر نیست: یا پیش‌تر استفاده شده، یا بیش از 72 ساعت گذشته است. از کسی که شما را دعوت کرده، لینک تازه‌ای بخواهید.
invitation-err-mismatch = دو رمز عبور یکسان نیستند.
invitation-err-short = رمز عبور باید دست‌کم 10 نویسه داشته باشد.
invitation-err-long = رمز عبور نباید بیشتر از 1024 نویسه داشته باشد.
## نهادهای حمایت‌کننده
err-url = لطفاً آدرس یک وب‌سایت را بنویسید، مانند https://example.org.
endorsers-heading = با حمایت { $count_text } نهاد
endorse-invite = آیا نهاد شما از این درخواست حمایت می‌کند؟ حمایت خود را اعلام کنید.
endorse-heading = حمایت به نام یک نهاد
endorse-intro = نهادها می‌توانند از این درخواست حمایت کنند. پس از آنکه برگزارکنندگان حمایت شما را بپذیرند، نام، وب‌سایت و کشور نهاد شما در صفحهٔ کمپاین و در نامه‌ها به وزارت‌ها نشان داده می‌شود. حمایت یک نهاد امضا نیست و امضا شمرده نمی‌شود.
endorse-form-heading = نهاد شما
endorse-organisation = نام نهاد
endorse-website = وب‌سایت
endorse-country = کشوری که نهاد در آن مستقر است
endorse-email = آدرس ایمیل برای تماس
endorse-email-hint = برای تأیید حمایت، یک ایمیل به این آدرس می‌فرستیم. این آدرس را تنها برگزارکنندگان می‌بینند و هرگز نشر نمی‌شود.
endorse-button = از این درخواست حمایت می‌کنیم
endorse-privacy = اگر برگزارکنندگان این حمایت را نپذیرند، یا شما بخواهید که برداشته شود، آدرس تماس پاک می‌شود.
endorse-sent-title = لطفاً صندوق ایمیل خود را ببینید
endorse-sent-body = یک ایمیل به آدرس تماس فرستادیم. لینک داخل آن را باز کنید و با زدن دکمه، حمایت را تأیید کنید؛ پس از آن برگزارکنندگان آن را بررسی می‌کنند.
endorse-confirm-title = حمایت را تأیید کنید
endorse-confirm-body = دکمه را بزنید تا تأیید کنید که نهاد شما از این درخواست حمایت می‌کند.
endorse-confirm-button = حمایت را تأیید می‌کنم
endorse-confirmed-title = تشکر، حمایت تأیید شد
endorse-confirmed-body = برگزارکنندگان آن را بررسی می‌کنند. پس از پذیرفته شدن، نام نهاد شما در صفحهٔ کمپاین و در نامه‌ها می‌آید.
endorse-mail-subject = لطفاً حمایت نهاد خود را تأیید کنید
endorse-mail-greeting = سلام { $organisation }،
endorse-mail-body = از حمایت شما از این درخواست تشکر. لطفاً این لینک را باز کنید و با زدن دکمه در آن صفحه، حمایت را تأیید کنید:
endorse-mail-button = حمایت را تأیید کنید
endorse-mail-ignore = اگر کسی در نهاد شما چنین چیزی نخواسته است، این ایمیل را نادیده بگیرید: حمایتی که تأیید نشود، هرگز نشر نمی‌شود.
letter-supported-by = با حمایت { $count_text } نهاد: { $names }.

## پاسخ وزارت‌ها
replies-heading = پاسخ وزارت‌ها
reply-replied-on = { $target } در تاریخ { $date } پاسخ داد.
reply-awaiting = { $target }: از { $date } به این سو در انتظار پاسخ.
reply-no-letter-yet = { $target }: هنوز نامه‌ای فرستاده نشده است.
reply-summary-language-note = این خلاصه به زبان شما در دسترس نیست.
reply-mailing-subject = { $target } پاسخ داد
## The handover pack's PDF (src/handover/pack.rs), in the target's language.
handover-to = گیرنده:
handover-counts = امضاها
handover-total = امضاهای تأییدشده: { $total }
handover-country = کشور
handover-signatures = امضاها
handover-per-day = امضاها در هر روز
handover-chart-caption = از { $first } تا { $last } (UTC)؛ بلندترین ستون { $max } امضا در یک روز را نشان می‌دهد.
handover-no-signatures = هنوز هیچ امضایی نیست.
handover-endorsements = سازمان‌های حمایت‌کننده
handover-no-endorsements = هنوز هیچ سازمانی از این درخواست حمایت نکرده است.
handover-signers = امضاکنندگان
handover-anonymous = امضاکنندگانی که خواسته‌اند نامشان ذکر نشود: { $count }. آنان در شمار بالا حساب شده‌اند.
handover-footer = سپردن امضاهای «{ $campaign }»، تهیه‌شده در { $date }
