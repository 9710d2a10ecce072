# Dari (دری): a stub that proves the right-to-left layout. Missing keys fall back to
# English. These strings need review by a native speaker before the language is listed.

skip-link = رفتن به محتوا
language = زبان
campaigns-heading = کمپاین‌ها
signatures = امضا
jump-to-form = همین حالا امضا کنید
goal = هدف
sign-heading = نام خود را اضافه کنید
name = نام شما
email = آدرس ایمیل
country = کشوری که در آن زندگی می‌کنید
choose-country = کشور خود را انتخاب کنید
postcode = کد پستی
comment = نظر
optional = اختیاری
sign-button = امضا کنید
errors-heading = مشکلی وجود دارد
err-missing = لطفاً این بخش را پر کنید.
err-direction = لطفاً نشانه‌های نامرئی را که جهت نوشته را تغییر می‌دهند حذف کنید.
thanks-title = لطفاً ایمیل خود را بررسی کنید
confirm-title = امضای خود را تأیید کنید
confirm-button = امضای من را تأیید کنید
back-to-campaign = بازگشت به کمپاین
content-language-note = این کمپاین هنوز به زبان شما در دسترس نیست؛ متن آن به { $language } نمایش داده می‌شود.
