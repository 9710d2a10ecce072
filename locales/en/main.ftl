# The words around a campaign's own text, on pages and in emails to supporters.
# The campaign's call, consent wording and share text come from its campaign file.
# Adding a language: copy this file to locales/<tag>/main.ftl, translate it, and
# register the tag in src/domain/lang.rs. Missing keys fall back to English.

## The frame of every page
skip-link = Skip to content
language = Language
footer-note = No trackers, no third-party scripts. Your data is only seen by the organizers.

## The campaign list
campaigns-heading = Campaigns
no-campaigns = There are no open campaigns at the moment.

## The campaign page
signatures = signatures
jump-to-form = Sign now
goal = Goal
progress-label = Signatures so far, towards the goal
sign-heading = Add your name
name = Your name
email = Email address
email-hint = We send you one email to confirm your signature. Your address is never passed on.
country = Country where you live
choose-country = Choose your country
postcode = Postcode
comment = Comment
comment-hint = May be quoted in the letters, with your name and country.
optional = optional
consent-label = Consent
anonymous = Count my signature, but do not send my name to the ministries
sign-button = Sign
privacy-note = Only the organizers see your email address and postcode. You can withdraw your signature at any time with the link in your receipt.
errors-heading = There is a problem
errors-intro = Please check these fields:
form-expired = This form had expired. Please check your details and press Sign again.
form-used = This form was already sent. If your signature is not in yet, check your details and press Sign again.
embed-read-call = Read the whole call (opens in a new tab)
closed-notice = This campaign is closed and no longer takes signatures.
# { $date } is like "1 March 2027" and { $time } like 18:00, both written by CLDR (src/i18n/cldr.rs);
# { $zone } like UTC+1, the campaign's own time zone.
closes-on = Signatures are collected until { $date }, { $time } ({ $zone }).
content-language-note = This campaign is not yet available in your language; its text is shown in { $language }.

## After signing
thanks-title = Please check your inbox
thanks-body = We have sent you an email. Open the link in it and press the button to confirm your signature. It is only counted once you confirm.
thanks-steps-heading = What happens now
thanks-step-open = Open the email from this campaign.
thanks-step-link = Follow the link in it.
thanks-step-confirm = Press “{ confirm-button }”.
thanks-spam = Nothing there after a few minutes? Look in your spam folder, or sign again: we resend the email at most every ten minutes.

## Confirming and withdrawing
confirm-title = Confirm your signature
confirm-body = Press the button to confirm that you signed this call.
confirm-button = Confirm my signature
confirmed-title = Thank you, your signature counts
confirmed-body = Your signature is confirmed. We have sent you a receipt with a link to withdraw it, should you ever want to.
share-heading = Ask others to sign
share-intro = Share the campaign with people you know:
share-email = Email
share-copy = Or copy this link:
share-copy-button = Copy link
share-copied = Link copied
share-image-alt = { $title }: the campaign and how many have signed
link-invalid-title = This link does not work any more
link-invalid-body = The link is unknown or has expired (confirmation links last seven days). You can simply sign again.
withdraw-title = Withdraw your signature
withdraw-body = Press the button to withdraw your signature. We then erase your name, email address, postcode and comment, and your signature is no longer counted, exported or sent. Letters already sent cannot be recalled.
withdraw-button = Withdraw my signature
withdrawn-title = Your signature is withdrawn
withdrawn-body = We have erased your personal data from this campaign. Letters already sent cannot be recalled.
back-to-campaign = Back to the campaign

## Answers to a form that could not be taken
not-found-title = Not found
not-found-body = There is no page at this address.
forbidden-title = Not allowed
forbidden-body = Your organizer role does not allow this. Ask an owner of this installation if you need it.
unavailable-title = Temporarily unavailable
unavailable-body = We cannot take requests right now. Please try again in a minute.
unexpected-title = Something went wrong
unexpected-body = Please try again later.
bad-request-title = Check the request
bad-request-body = The request could not be used as sent. Please go back and try again.
unauthorized-title = Sign-in needed
unauthorized-body = Please sign in and try again.
conflict-title = Changed meanwhile
conflict-body = Someone changed this at the same moment. Please try again.
unsupported-title = Unsupported form encoding
unsupported-body = Please send the form as application/x-www-form-urlencoded.
too-large-title = Too much data
too-large-body = The form was larger than 16 KiB. Please shorten your comment and try again.
unreadable-title = Unreadable form
unreadable-body = The form data was not valid UTF-8 text. Please try again from the campaign page.
incomplete-title = Incomplete form
incomplete-body = The form arrived incomplete. Please try again.
compressed-title = Compressed form
compressed-body = Please send the form without compression.
too-slow-title = The form took too long
too-slow-body = The form did not arrive within 10 seconds. Please try again.
too-many-title = Too many requests
too-many-body = Too many signatures came from your network just now. Please try again in a few minutes.

## Field errors
err-missing = Please fill in this field.
err-too-long = Please use at most { $max } characters.
err-control = Please remove line breaks and control characters.
err-direction = Please remove the invisible characters that change the direction of text.
err-email = Please enter a valid email address, like name@example.org.
err-country = Please choose a country from the list.
err-disposable = Please use an address you will keep: with a throwaway address you could not confirm your signature or withdraw it later.
err-consent = Please agree, so that your name can be sent with the letters.

## Emails to supporters
mail-confirm-subject = Please confirm your signature
mail-greeting = Hello { $name },
mail-confirm-body = Thank you for signing. Please confirm your signature by opening this link and pressing the button on the page:
mail-confirm-button = Confirm my signature
mail-confirm-ignore = If you did not sign, ignore this email: without confirmation your details are deleted after 30 days.
mail-receipt-subject = Your signature is confirmed
mail-receipt-body = Thank you: your signature is confirmed and counted.
# { $date } is like "1 December 2026", written by CLDR.
mail-signed-on = You signed on { $date }.
mail-withdraw-text = If you ever want to withdraw it and have your details erased, use this link:
mail-withdraw-button = Withdraw my signature
mail-reminder-subject = Reminder: please confirm your signature
mail-reminder-body = A little while ago you signed, but your signature is not confirmed yet, so it does not count. Please open this link and press the button on the page:
mail-reminder-ignore = This link replaces the one in the earlier email. If you did not sign, or have changed your mind, ignore this email: without confirmation your details are deleted after 30 days.

## Letters to the targets
# The campaign's own words (subject, salutation, paragraphs, closing) come from its
# campaign file; these are the few around them. { $date } is a date like 2026-11-30.
letter-signed-by = Signed by
letter-comment = Their words
letter-period-since = New signatures since { $date }
letter-period-first = Signatures up to { $date }
letter-digest-counts = { $new } new signatures, { $total } signatures in total
letter-by-country = Where the new signatories live
letter-their-words = In their own words
letter-attached = The names and countries of the new signatories are attached as a CSV file.
letter-unnamed-total = Signatories so far who asked not to be named: { $count } ({ $countries }).
letter-unnamed-new = Of the new signatories, { $count } asked not to be named ({ $countries }); their names are not in this letter or the attached list.

## News mailings and unsubscribing
unsubscribe-title = Stop the news
unsubscribe-body = Press the button and we stop sending you news from the organizers. Your signature stays as it is.
unsubscribe-partner-body = Press the button and we stop sending you news from { $partner }. The campaign's own news, and your signature, stay as they are.
unsubscribe-button = Unsubscribe from the news
unsubscribed-title = You will get no more news
unsubscribed-body = We have taken your address off the list for news. Your signature still counts.
unsubscribed-partner-body = We have taken your address off the list for news from { $partner }. The campaign's own news still comes, and your signature still counts.
unsubscribe-invalid-title = This link does not work
unsubscribe-invalid-body = The unsubscribe link is unknown or incomplete. Copy the whole link from the email, or use the "Unsubscribe" button your mail program shows.
mail-mailing-why = You get this email because you asked for news when you signed.
mail-partner-mailing-why = You get this email because you asked for news from { $partner } when you signed.
mail-unsubscribe = Unsubscribe

# Organizer invitations (an owner invites by email; the link sets the password).
mail-invitation-heading = rallypost: organizer invitation
mail-invitation-subject = You are invited to organize a campaign
mail-invitation-body = You have been invited to help organize a campaign on rallypost. Open the link to choose your password.
mail-invitation-role = Your role:
mail-invitation-link = Choose your password here:
mail-invitation-button = Choose my password
mail-invitation-expiry = The link works once, for 72 hours. If you did not expect this invitation, ignore this email.
organizer-role-owner = owner (everything, manages organizers)
organizer-role-manager = manager (named campaigns)
organizer-role-partner = partner (one campaign, its own supporters)
organizer-role-viewer = viewer (counts only)
invitation-title = Choose your password
invitation-intro = Choose a password of at least 10 characters for your organizer account.
invitation-password = Password
invitation-password-again = The same password again
invitation-submit = Save my password
invitation-done-title = Your password is set
invitation-done-body = You can now sign in.
invitation-sign-in = Sign in
invitation-invalid-title = Link not valid
invitation-invalid-body = This invitation link is not valid any more: it was used, or more than 72 hours have passed. Ask the person who invited you for a new one.
invitation-err-mismatch = The two passwords differ.
invitation-err-short = The password must have at least 10 characters.
invitation-err-long = The password must have at most 1024 characters.
## Endorsing organisations
err-url = Please enter the address of a website, like https://example.org.
# { $count } chooses the plural form; { $count_text } is the number written the page's way (1, 12, 1,200).
endorsers-heading = { $count ->
    [one] Supported by { $count_text } organisation
   *[other] Supported by { $count_text } organisations
}
endorse-invite = Does your organisation support this call? Endorse it.
endorse-heading = Endorse as an organisation
endorse-intro = Organisations can endorse this call. Once the organizers have approved it, your organisation's name, website and country are shown on the campaign page and in the letters to the ministries. An endorsement is not a signature and is not counted as one.
endorse-form-heading = Your organisation
endorse-organisation = Name of the organisation
endorse-website = Website
endorse-country = Country where the organisation is based
endorse-email = Contact email address
endorse-email-hint = We send one email to this address to confirm the endorsement. It is seen only by the organizers and never published.
endorse-button = Endorse the call
endorse-privacy = If the organizers reject the endorsement, or you ask them to take it off, the contact address is erased.
endorse-sent-title = Please check your inbox
endorse-sent-body = We have sent an email to the contact address. Open the link in it and press the button to confirm the endorsement; the organizers then review it.
endorse-confirm-title = Confirm the endorsement
endorse-confirm-body = Press the button to confirm that your organisation endorses this call.
endorse-confirm-button = Confirm the endorsement
endorse-confirmed-title = Thank you, the endorsement is confirmed
endorse-confirmed-body = The organizers will review it. Once approved, your organisation is listed on the campaign page and in the letters.
endorse-mail-subject = Please confirm your organisation's endorsement
endorse-mail-greeting = Hello { $organisation },
endorse-mail-body = Thank you for endorsing this call. Please confirm the endorsement by opening this link and pressing the button on the page:
endorse-mail-button = Confirm the endorsement
endorse-mail-ignore = If no one at your organisation asked for this, ignore this email: an endorsement that is not confirmed is never published.
letter-supported-by = { $count ->
    [one] Supported by { $count_text } organisation: { $names }.
   *[other] Supported by { $count_text } organisations: { $names }.
}

## The targets' replies
replies-heading = What the ministries answered
# { $target } is the office named in the campaign file, { $date } a date like 2026-11-30.
reply-replied-on = { $target } replied on { $date }.
reply-awaiting = { $target }: awaiting a reply since { $date }.
reply-no-letter-yet = { $target }: no letter has gone out yet.
reply-summary-language-note = This summary is not available in your language.
reply-mailing-subject = { $target } has replied
## The handover pack's PDF (src/handover/pack.rs), in the target's language.
handover-to = To:
handover-counts = Signatures
handover-total = Confirmed signatures: { $total }
handover-country = Country
handover-signatures = Signatures
handover-per-day = Signatures per day
handover-chart-caption = { $first } to { $last } (UTC); the highest bar stands for { $max } in one day.
handover-no-signatures = No signatures yet.
handover-endorsements = Endorsing organisations
handover-no-endorsements = No organisation has endorsed the call yet.
handover-signers = The signatories
handover-anonymous = Signatories who asked not to be named: { $count }. They are counted above.
handover-footer = Handover of “{ $campaign }”, made on { $date }
