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
number-group-separator = .
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
closed-notice = Diese Kampagne ist beendet und nimmt keine Unterschriften mehr an.
# { $time } is like 18:00, { $zone } like UTC+1; the campaign's own time zone.
closes-on = Unterschriften werden bis zum { $day }. { $month } { $year }, { $time } Uhr ({ $zone }) gesammelt.
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember
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
unsubscribe-button = Neuigkeiten abbestellen
unsubscribed-title = Sie erhalten keine Neuigkeiten mehr
unsubscribed-body = Wir haben Ihre Adresse aus der Liste für Neuigkeiten genommen. Ihre Unterschrift zählt weiterhin.
unsubscribe-invalid-title = Dieser Link funktioniert nicht
unsubscribe-invalid-body = Der Abmeldelink ist unbekannt oder unvollständig. Kopieren Sie den ganzen Link aus der E-Mail, oder nutzen Sie den Knopf „Abbestellen“ Ihres E-Mail-Programms.
mail-mailing-why = Sie erhalten diese E-Mail, weil Sie beim Unterschreiben Neuigkeiten bestellt haben.
mail-unsubscribe = Abbestellen

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
