# Die Wörter rund um den Text einer Kampagne, auf den Seiten und in E-Mails an Unterstützende.

## Der Rahmen jeder Seite
skip-link = Zum Inhalt springen
language = Sprache
footer-note = Keine Tracker, keine Skripte von Dritten. Ihre Daten sieht nur das Organisationsteam.

## Die Kampagnenliste
campaigns-heading = Kampagnen
no-campaigns = Zurzeit gibt es keine offenen Kampagnen.

## Die Kampagnenseite
signatures = Unterschriften
jump-to-form = Jetzt unterschreiben
goal = Ziel
progress-label = Bisherige Unterschriften, gemessen am Ziel
sign-heading = Unterschreiben Sie
name = Ihr Name
email = E-Mail-Adresse
email-hint = Wir senden Ihnen eine E-Mail, um Ihre Unterschrift zu bestätigen. Ihre Adresse wird nie weitergegeben.
country = Land, in dem Sie leben
choose-country = Land wählen
postcode = Postleitzahl
comment = Kommentar
comment-hint = Kann mit Ihrem Namen und Land in den Briefen zitiert werden.
optional = freiwillig
consent-label = Einwilligung
anonymous = Meine Unterschrift zählen, aber meinen Namen nicht an die Ministerien senden
sign-button = Unterschreiben
privacy-note = Nur das Organisationsteam sieht Ihre E-Mail-Adresse und Postleitzahl. Mit dem Link in Ihrer Bestätigung können Sie Ihre Unterschrift jederzeit zurückziehen.
errors-heading = Bitte prüfen Sie Ihre Angaben
errors-intro = Diese Felder brauchen Ihre Aufmerksamkeit:
form-expired = Das Formular war abgelaufen. Bitte prüfen Sie Ihre Angaben und klicken Sie erneut auf Unterschreiben.
form-used = Dieses Formular wurde bereits abgeschickt. Falls Ihre Unterschrift noch nicht eingegangen ist, prüfen Sie Ihre Angaben und klicken Sie erneut auf Unterschreiben.
embed-read-call = Den ganzen Aufruf lesen (öffnet sich in einem neuen Tab)
closed-notice = Diese Kampagne ist beendet und nimmt keine Unterschriften mehr an.
# { $date } is like "1 March 2027" and { $time } like 18:00, both written by CLDR (src/i18n/cldr.rs);
# { $zone } like UTC+1, the campaign's own time zone.
closes-on = Unterschriften werden bis zum { $date }, { $time } Uhr ({ $zone }) gesammelt.
content-language-note = Diese Kampagne gibt es noch nicht in Ihrer Sprache; ihr Text wird auf { $language } angezeigt.

## Nach dem Unterschreiben
thanks-title = Bitte sehen Sie in Ihr Postfach
thanks-body = Wir haben Ihnen eine E-Mail geschickt. Öffnen Sie den Link darin und bestätigen Sie Ihre Unterschrift mit dem Knopf. Sie zählt erst nach der Bestätigung.
thanks-steps-heading = So geht es weiter
thanks-step-open = Öffnen Sie die E-Mail dieser Kampagne.
thanks-step-link = Folgen Sie dem Link darin.
thanks-step-confirm = Klicken Sie auf „{ confirm-button }“.
thanks-spam = Nach ein paar Minuten noch nichts da? Sehen Sie im Spam-Ordner nach oder unterschreiben Sie erneut: Wir senden die E-Mail höchstens alle zehn Minuten noch einmal.

## Bestätigen und zurückziehen
confirm-title = Unterschrift bestätigen
confirm-body = Bestätigen Sie mit dem Knopf, dass Sie diesen Appell unterschrieben haben.
confirm-button = Unterschrift bestätigen
confirmed-title = Danke, Ihre Unterschrift zählt
confirmed-body = Ihre Unterschrift ist bestätigt. Wir haben Ihnen eine Bestätigung mit einem Link geschickt, mit dem Sie sie jederzeit zurückziehen können.
share-heading = Bitten Sie andere, zu unterschreiben
share-intro = Teilen Sie die Kampagne mit Menschen, die Sie kennen:
share-email = E-Mail
share-copy = Oder kopieren Sie diesen Link:
share-copy-button = Link kopieren
share-copied = Link kopiert
share-image-alt = { $title }: die Kampagne und wie viele schon unterschrieben haben
link-invalid-title = Dieser Link funktioniert nicht mehr
link-invalid-body = Der Link ist unbekannt oder abgelaufen (Bestätigungslinks gelten sieben Tage). Sie können einfach erneut unterschreiben.
withdraw-title = Unterschrift zurückziehen
withdraw-body = Mit dem Knopf ziehen Sie Ihre Unterschrift zurück. Wir löschen dann Ihren Namen, Ihre E-Mail-Adresse, Postleitzahl und Ihren Kommentar; Ihre Unterschrift wird nicht mehr gezählt, exportiert oder versandt. Bereits versandte Briefe können nicht zurückgeholt werden.
withdraw-button = Unterschrift zurückziehen
withdrawn-title = Ihre Unterschrift ist zurückgezogen
withdrawn-body = Wir haben Ihre persönlichen Daten aus dieser Kampagne gelöscht. Bereits versandte Briefe können nicht zurückgeholt werden.
back-to-campaign = Zurück zur Kampagne

## Antworten auf ein Formular, das nicht angenommen werden konnte
not-found-title = Nicht gefunden
not-found-body = Unter dieser Adresse gibt es keine Seite.
forbidden-title = Nicht erlaubt
forbidden-body = Ihre Rolle als Organisator*in erlaubt das nicht. Wenden Sie sich an eine Eigentümerin oder einen Eigentümer dieser Installation, wenn Sie es brauchen.
unavailable-title = Vorübergehend nicht erreichbar
unavailable-body = Wir können gerade keine Anfragen annehmen. Bitte versuchen Sie es in einer Minute erneut.
unexpected-title = Etwas ist schiefgelaufen
unexpected-body = Bitte versuchen Sie es später erneut.
bad-request-title = Anfrage prüfen
bad-request-body = Die Anfrage konnte so nicht verwendet werden. Bitte gehen Sie zurück und versuchen Sie es erneut.
unauthorized-title = Anmeldung nötig
unauthorized-body = Bitte melden Sie sich an und versuchen Sie es erneut.
conflict-title = Inzwischen geändert
conflict-body = Jemand hat dies im selben Moment geändert. Bitte versuchen Sie es erneut.
unsupported-title = Nicht unterstützte Formularkodierung
unsupported-body = Bitte senden Sie das Formular als application/x-www-form-urlencoded.
too-large-title = Zu viele Daten
too-large-body = Das Formular war größer als 16 KiB. Bitte kürzen Sie Ihren Kommentar und versuchen Sie es erneut.
unreadable-title = Unlesbares Formular
unreadable-body = Die Formulardaten waren kein gültiger UTF-8-Text. Bitte versuchen Sie es erneut von der Kampagnenseite aus.
incomplete-title = Unvollständiges Formular
incomplete-body = Das Formular kam unvollständig an. Bitte versuchen Sie es erneut.
compressed-title = Komprimiertes Formular
compressed-body = Bitte senden Sie das Formular ohne Komprimierung.
too-slow-title = Das Formular kam zu langsam
too-slow-body = Das Formular ist nicht innerhalb von 10 Sekunden angekommen. Bitte versuchen Sie es erneut.
too-many-title = Zu viele Anfragen
too-many-body = Aus Ihrem Netzwerk kamen gerade zu viele Unterschriften. Bitte versuchen Sie es in ein paar Minuten erneut.

## Fehler in Feldern
err-missing = Bitte füllen Sie dieses Feld aus.
err-too-long = Bitte verwenden Sie höchstens { $max } Zeichen.
err-control = Bitte entfernen Sie Zeilenumbrüche und Steuerzeichen.
err-direction = Bitte entfernen Sie die unsichtbaren Zeichen, die die Richtung des Textes ändern.
err-email = Bitte geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.org.
err-country = Bitte wählen Sie ein Land aus der Liste.
err-disposable = Bitte verwenden Sie eine Adresse, die Sie behalten: Mit einer Wegwerfadresse könnten Sie Ihre Unterschrift weder bestätigen noch später zurückziehen.
err-consent = Bitte stimmen Sie zu, damit Ihr Name mit den Briefen gesendet werden kann.

## E-Mails an Unterstützende
mail-confirm-subject = Bitte bestätigen Sie Ihre Unterschrift
mail-greeting = Hallo { $name },
mail-confirm-body = Danke für Ihre Unterschrift. Bitte bestätigen Sie sie, indem Sie diesen Link öffnen und auf der Seite den Knopf drücken:
mail-confirm-button = Unterschrift bestätigen
mail-confirm-ignore = Falls Sie nicht unterschrieben haben, ignorieren Sie diese E-Mail: Ohne Bestätigung werden Ihre Angaben nach 30 Tagen gelöscht.
mail-receipt-subject = Ihre Unterschrift ist bestätigt
mail-receipt-body = Danke: Ihre Unterschrift ist bestätigt und wird gezählt.
# { $date } is like "1 December 2026", written by CLDR.
mail-signed-on = Sie haben am { $date } unterschrieben.
mail-withdraw-text = Wenn Sie sie zurückziehen und Ihre Angaben löschen lassen möchten, nutzen Sie diesen Link:
mail-withdraw-button = Unterschrift zurückziehen
mail-reminder-subject = Erinnerung: Bitte bestätigen Sie Ihre Unterschrift
mail-reminder-body = Sie haben vor Kurzem unterschrieben, aber Ihre Unterschrift ist noch nicht bestätigt und zählt deshalb noch nicht. Bitte öffnen Sie diesen Link und drücken Sie auf der Seite den Knopf:
mail-reminder-ignore = Dieser Link ersetzt den aus der früheren E-Mail. Falls Sie nicht unterschrieben haben oder es sich anders überlegt haben, ignorieren Sie diese E-Mail: Ohne Bestätigung werden Ihre Angaben nach 30 Tagen gelöscht.

## Briefe an die Adressaten
letter-signed-by = Unterzeichnet von
letter-comment = In eigenen Worten
letter-period-since = Neue Unterschriften seit { $date }
letter-period-first = Unterschriften bis { $date }
letter-digest-counts = { $new } neue Unterschriften, { $total } Unterschriften insgesamt
letter-by-country = Wo die neuen Unterzeichnenden leben
letter-their-words = In ihren eigenen Worten
letter-attached = Die Namen und Länder der neuen Unterzeichnenden finden Sie im Anhang als CSV-Datei.
letter-unnamed-total = Bisherige Unterzeichnende, die nicht namentlich genannt werden möchten: { $count } ({ $countries }).
letter-unnamed-new = Von den neuen Unterzeichnenden möchten { $count } nicht namentlich genannt werden ({ $countries }); ihre Namen stehen weder in diesem Schreiben noch in der angehängten Liste.

## Neuigkeiten und Abmeldung
unsubscribe-title = Keine Neuigkeiten mehr
unsubscribe-body = Drücken Sie den Knopf, dann schicken wir Ihnen keine Neuigkeiten der Organisator*innen mehr. Ihre Unterschrift bleibt, wie sie ist.
unsubscribe-partner-body = Drücken Sie den Knopf, dann schicken wir Ihnen keine Neuigkeiten von { $partner } mehr. Die Neuigkeiten der Kampagne selbst und Ihre Unterschrift bleiben, wie sie sind.
unsubscribe-button = Neuigkeiten abbestellen
unsubscribed-title = Sie erhalten keine Neuigkeiten mehr
unsubscribed-body = Wir haben Ihre Adresse aus der Liste für Neuigkeiten genommen. Ihre Unterschrift zählt weiterhin.
unsubscribed-partner-body = Wir haben Ihre Adresse aus der Liste für Neuigkeiten von { $partner } genommen. Die Neuigkeiten der Kampagne selbst erhalten Sie weiter, und Ihre Unterschrift zählt weiterhin.
unsubscribe-invalid-title = Dieser Link funktioniert nicht
unsubscribe-invalid-body = Der Abmeldelink ist unbekannt oder unvollständig. Kopieren Sie den ganzen Link aus der E-Mail, oder nutzen Sie den Knopf „Abbestellen“ Ihres E-Mail-Programms.
mail-mailing-why = Sie erhalten diese E-Mail, weil Sie beim Unterschreiben Neuigkeiten bestellt haben.
mail-partner-mailing-why = Sie erhalten diese E-Mail, weil Sie beim Unterschreiben Neuigkeiten von { $partner } bestellt haben.
mail-unsubscribe = Abbestellen

# Einladungen für Organisator*innen (eine Eigentümerin lädt per E-Mail ein; der Link legt das Passwort fest).
mail-invitation-heading = rallypost: Einladung für Organisator*innen
mail-invitation-subject = Sie sind eingeladen, eine Kampagne mitzuorganisieren
mail-invitation-body = Sie wurden eingeladen, bei rallypost eine Kampagne mitzuorganisieren. Öffnen Sie den Link, um Ihr Passwort festzulegen.
mail-invitation-role = Ihre Rolle:
mail-invitation-link = Legen Sie hier Ihr Passwort fest:
mail-invitation-button = Mein Passwort festlegen
mail-invitation-expiry = Der Link funktioniert einmal und 72 Stunden lang. Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.
organizer-role-owner = Eigentümer*in (alles, verwaltet Organisator*innen)
organizer-role-manager = Manager*in (benannte Kampagnen)
organizer-role-partner = Partnerorganisation (eine Kampagne, nur die eigenen Unterstützer*innen)
organizer-role-viewer = Betrachter*in (nur Zahlen)
invitation-title = Passwort festlegen
invitation-intro = Wählen Sie ein Passwort mit mindestens 10 Zeichen für Ihr Konto als Organisator*in.
invitation-password = Passwort
invitation-password-again = Dasselbe Passwort noch einmal
invitation-submit = Passwort speichern
invitation-done-title = Ihr Passwort ist gespeichert
invitation-done-body = Sie können sich jetzt anmelden.
invitation-sign-in = Anmelden
invitation-invalid-title = Link ungültig
invitation-invalid-body = Dieser Einladungslink gilt nicht mehr: Er wurde schon benutzt, oder es sind mehr als 72 Stunden vergangen. Bitten Sie die Person, die Sie eingeladen hat, um einen neuen.
invitation-err-mismatch = Die beiden Passwörter stimmen nicht überein.
invitation-err-short = Das Passwort muss mindestens 10 Zeichen haben.
invitation-err-long = Das Passwort darf höchstens 1024 Zeichen haben.
## Unterstützende Organisationen
err-url = Bitte geben Sie die Adresse einer Website ein, etwa https://example.org.
endorsers-heading = { $count ->
    [one] Unterstützt von { $count_text } Organisation
   *[other] Unterstützt von { $count_text } Organisationen
}
endorse-invite = Unterstützt Ihre Organisation diesen Aufruf? Treten Sie als Unterstützerin auf.
endorse-heading = Als Organisation unterstützen
endorse-intro = Organisationen können diesen Aufruf unterstützen. Sobald die Organisator*innen zugestimmt haben, erscheinen Name, Website und Land Ihrer Organisation auf der Kampagnenseite und in den Schreiben an die Ministerien. Eine Unterstützung ist keine Unterschrift und wird nicht als solche gezählt.
endorse-form-heading = Ihre Organisation
endorse-organisation = Name der Organisation
endorse-website = Website
endorse-country = Land, in dem die Organisation ihren Sitz hat
endorse-email = E-Mail-Adresse für Rückfragen
endorse-email-hint = An diese Adresse schicken wir eine E-Mail, um die Unterstützung zu bestätigen. Nur die Organisator*innen sehen sie; sie wird nie veröffentlicht.
endorse-button = Aufruf unterstützen
endorse-privacy = Lehnen die Organisator*innen die Unterstützung ab oder bitten Sie darum, sie zurückzunehmen, wird die Kontaktadresse gelöscht.
endorse-sent-title = Bitte sehen Sie in Ihr Postfach
endorse-sent-body = Wir haben eine E-Mail an die Kontaktadresse geschickt. Öffnen Sie den Link darin und drücken Sie den Knopf, um die Unterstützung zu bestätigen; danach prüfen die Organisator*innen sie.
endorse-confirm-title = Unterstützung bestätigen
endorse-confirm-body = Drücken Sie den Knopf, um zu bestätigen, dass Ihre Organisation diesen Aufruf unterstützt.
endorse-confirm-button = Unterstützung bestätigen
endorse-confirmed-title = Danke, die Unterstützung ist bestätigt
endorse-confirmed-body = Die Organisator*innen prüfen sie nun. Sobald sie zugestimmt haben, erscheint Ihre Organisation auf der Kampagnenseite und in den Schreiben.
endorse-mail-subject = Bitte bestätigen Sie die Unterstützung Ihrer Organisation
endorse-mail-greeting = Guten Tag, { $organisation },
endorse-mail-body = Danke, dass Sie diesen Aufruf unterstützen. Bitte bestätigen Sie die Unterstützung, indem Sie diesen Link öffnen und auf der Seite den Knopf drücken:
endorse-mail-button = Unterstützung bestätigen
endorse-mail-ignore = Hat niemand in Ihrer Organisation darum gebeten, ignorieren Sie diese E-Mail: Eine nicht bestätigte Unterstützung wird nie veröffentlicht.
letter-supported-by = { $count ->
    [one] Unterstützt von { $count_text } Organisation: { $names }.
   *[other] Unterstützt von { $count_text } Organisationen: { $names }.
}

## Antworten der Adressat*innen
replies-heading = Was die Ministerien geantwortet haben
reply-replied-on = { $target } hat am { $date } geantwortet.
reply-awaiting = { $target }: Antwort steht seit { $date } aus.
reply-no-letter-yet = { $target }: Es ist noch kein Schreiben verschickt worden.
reply-summary-language-note = Diese Zusammenfassung gibt es nicht auf Deutsch.
reply-mailing-subject = { $target } hat geantwortet
## The handover pack's PDF (src/handover/pack.rs), in the target's language.
handover-to = An:
handover-counts = Unterschriften
handover-total = Bestätigte Unterschriften: { $total }
handover-country = Land
handover-signatures = Unterschriften
handover-per-day = Unterschriften pro Tag
handover-chart-caption = { $first } bis { $last } (UTC); der höchste Balken steht für { $max } an einem Tag.
handover-no-signatures = Noch keine Unterschriften.
handover-endorsements = Unterstützende Organisationen
handover-no-endorsements = Bisher hat keine Organisation den Aufruf unterstützt.
handover-signers = Die Unterzeichnenden
handover-anonymous = Unterzeichnende, die nicht namentlich genannt werden möchten: { $count }. Sie sind oben mitgezählt.
handover-footer = Übergabe von „{ $campaign }“, erstellt am { $date }
