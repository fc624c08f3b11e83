"""Forms (Flask-WTF: CSRF on every one). Only the fields declared here are ever read, so an
extra field such as `role` in a request is ignored, never assigned."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional

from portal import i18n
from portal.core.ingest import AGENCIES


class RegisterForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.com.")), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(_l("Type the password again.")),
        EqualTo("password", _l("The two passwords are not the same."))])
    language = SelectField(_l("Language for e-mails"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(info.code, info.name) for info in i18n.offered_locales()]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.com.")), Length(max=320)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Type the password again.")),
        EqualTo("password", _l("The two passwords are not the same."))])


class ConfirmForm(FlaskForm):
    """Only a CSRF token: a link in an e-mail shows a button, and the POST does the change."""


class LinkCaseForm(FlaskForm):
    receipt_number = StringField(_l("Receipt number"), validators=[
        DataRequired(_l("Enter the receipt number.")), Length(max=64)])
    access_code = StringField(_l("Online access code"), validators=[
        DataRequired(_l("Enter the online access code.")), Length(max=64)])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language for e-mails"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(info.code, info.name) for info in i18n.offered_locales()]


class DigestForm(FlaskForm):
    digest = RadioField(_l("E-mail me when new entries reach the log of who accessed my data"), choices=[
        ("off", _l("Never")), ("daily", _l("At most once a day")), ("weekly", _l("At most once a week"))],
        validators=[DataRequired(_l("Choose how often."))])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Type the password again.")),
        EqualTo("password", _l("The two passwords are not the same."))])


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New e-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.com.")), Length(max=320)])
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])


class DeleteAccountForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    understood = BooleanField(_l("I understand that my account and its links to my cases will be deleted."),
                              validators=[DataRequired(_l("Tick the box to confirm."))])


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"), validators=[
        DataRequired(_l("Enter the code.")), Length(max=32)])


class EnableTotpForm(FlaskForm):
    code = StringField(_l("The 6-digit code your app shows now"), validators=[
        DataRequired(_l("Enter the code.")), Length(max=16)])


class DisableTotpForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])


class RepresentativeProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name.")), Length(max=200)])
    bar_number = StringField(_l("Bar number (attorneys)"), validators=[Length(max=32)])
    bar_state = StringField(_l("State of the bar, two letters (attorneys)"), validators=[Length(max=2)])
    eoir_id = StringField(_l("EOIR ID (accredited representatives)"), validators=[Length(max=32)])
    organization = StringField(_l("Firm or recognized organization"), validators=[Length(max=200)])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not (self.bar_number.data and self.bar_state.data) and not self.eoir_id.data:
            self.bar_number.errors.append(_l("Give a bar number and its state, or an EOIR ID."))
            return False
        return True


class AppointForm(FlaskForm):
    case = SelectField(_l("Case"), validators=[DataRequired()])
    email = EmailField(_l("The representative's e-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.com.")), Length(max=320)])
    consent = BooleanField(_l("I consent to this representative seeing my case and my records in this portal "
                              "(6 CFR 5.21(f)). I can take this back at any time."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])


class ApiClientForm(FlaskForm):
    agency = SelectField(_l("Agency"), choices=[(code, code) for code in AGENCIES], validators=[DataRequired()])
    name = StringField(_l("Name of the system"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)])


class ResolveForm(FlaskForm):
    note = StringField(_l("Note (what was done)"), validators=[DataRequired(_l("Enter a note.")), Length(max=1000)])


class ResetTwoStepForm(FlaskForm):
    email = EmailField(_l("E-mail address of the account"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Length(max=320)])
    identity_check = StringField(_l("How you re-checked this person's identity"), validators=[
        DataRequired(_l("Describe the identity check.")), Length(min=10, max=1000)])


class StaffInviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.com.")), Length(max=320)])
    role = SelectField(_l("Role"), choices=[("privacy_officer", _l("Privacy officer")),
                                            ("supervisor", _l("Supervisor")), ("admin", _l("Administrator"))],
                       validators=[DataRequired()])


class LogFilterForm(FlaskForm):
    """The access log's filters: a GET form (it changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    agency = SelectField(_l("Agency"), default="")
    purpose = SelectField(_l("Purpose"), default="")
    category = SelectField(_l("Data"), default="")
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, catalog, translate, **kwargs):
        super().__init__(**kwargs)
        anything = [("", _l("Any"))]
        self.agency.choices = anything + [(code, translate(e.name)) for code, e in catalog.agencies.items()]
        self.purpose.choices = anything + [(code, translate(e.name)) for code, e in catalog.purposes.items()]
        self.category.choices = anything + [(code, translate(e.name)) for code, e in catalog.data_categories.items()]

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class DocumentForm(FlaskForm):
    kind = RadioField(_l("Document"), choices=[
        ("case_summary", _l("Case status summary, with the full history of each case")),
        ("accounting", _l("Accounting of disclosures: who accessed my data (choose a period below)")),
        ("my_record", _l("My record: both of these, for all my cases"))],
        validators=[DataRequired(_l("Choose a document."))])
    since = DateField(_l("From (accounting only)"), validators=[Optional()])
    until = DateField(_l("To (accounting only)"), validators=[Optional()])
    language = SelectField(_l("Language of the document"))
    archival = BooleanField(_l("Archival copy (PDF/A, with the data attached for computers)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(info.code, info.name) for info in i18n.offered_locales()]

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class VerifyForm(FlaskForm):
    code = StringField(_l("Verification code"), validators=[
        DataRequired(_l("Enter the code printed at the foot of each page.")), Length(max=64)])


class VerifyFileForm(FlaskForm):
    file = FileField(_l("The PDF file"), validators=[FileRequired(_l("Choose a PDF file."))])


class PrivacyRequestForm(FlaskForm):
    kind = RadioField(_l("What do you ask for?"), choices=[
        ("access", _l("A copy of my records (FOIA / Privacy Act)")),
        ("accounting", _l("An accounting of who received my records (5 U.S.C. 552a(c)(3))")),
        ("amendment", _l("A correction of a record about me (5 U.S.C. 552a(d)(2))"))],
        validators=[DataRequired(_l("Choose what you ask for."))])
    description = TextAreaField(_l("Which records, and anything that helps find them"), validators=[
        DataRequired(_l("Describe the records.")), Length(max=5000)])
    track = SelectField(_l("Which track (copies of records)"), choices=[
        ("1", _l("Track 1: a few named documents")), ("2", _l("Track 2: my whole A-File")),
        ("3", _l("Track 3: I have a hearing before an immigration judge"))], default="1")
    hearing_on = DateField(_l("Date of the hearing (track 3)"), validators=[Optional()])
    amendment_record = StringField(_l("Which record is wrong (correction only)"), validators=[Length(max=500)])
    amendment_correction = TextAreaField(_l("What it should say (correction only)"), validators=[Length(max=5000)])
    expedite = BooleanField(_l("I ask for faster processing"))
    expedite_statement = TextAreaField(_l("Why it is urgent (certified as true)"), validators=[Length(max=5000)])
    fee_category = SelectField(_l("Fee category"), choices=[
        ("other", _l("Everyone else: 2 hours of search and 100 pages free")),
        ("educational", _l("Educational, scientific or news media: 100 pages free")),
        ("commercial", _l("Commercial use"))], default="other")
    declaration_name = StringField(_l("Your full name"), validators=[
        DataRequired(_l("Type your full name.")), Length(max=200)])
    declaration = BooleanField(_l(
        "I declare under penalty of perjury under the laws of the United States of America that I am the person "
        "named above and that the foregoing is true and correct (28 U.S.C. 1746)."),
        validators=[DataRequired(_l("Tick the declaration to file the request."))])
    # Representatives only: whose records (their own, a client's with a representation on file, or
    # a person's who signed a consent the representative uploads: on_behalf "consent").
    on_behalf = SelectField(_l("Whose records"), default="")
    representative_declaration = BooleanField(_l(
        "I represent this person, with a Form G-28 or EOIR-28 on file, and they agree to this request."))
    consent_name = StringField(_l("The person's full name (consent only)"), validators=[Length(max=150)])
    consent_identifier = StringField(_l("Their A-number or a receipt number of their case (consent only)"),
                                     validators=[Length(max=40)])
    consent_file = FileField(_l("Their signed consent (PDF, JPEG or PNG, up to 10 MB)"))
    submission_key = HiddenField()

    def validate_representative_declaration(self, field):
        if self.on_behalf.data and self.on_behalf.data != "consent" and not field.data:
            raise ValidationError(_l("Confirm that you represent this person."))

    def validate_consent_name(self, field):
        if self.on_behalf.data == "consent" and not (field.data or "").strip():
            raise ValidationError(_l("Type the name of the person who signed the consent."))

    def validate_consent_identifier(self, field):
        if self.on_behalf.data == "consent" and not (field.data or "").strip():
            raise ValidationError(_l("Give their A-number or a receipt number."))

    def validate_consent_file(self, field):
        if self.on_behalf.data == "consent" and not field.data:
            raise ValidationError(_l("Attach the signed consent."))

    def validate_track(self, field):
        # Checked here: the date's own Optional() validator stops its chain when it is empty.
        if self.kind.data == "access" and field.data == "3" and not self.hearing_on.data:
            raise ValidationError(_l("Give the date of the hearing."))

    def validate_amendment_correction(self, field):
        if self.kind.data == "amendment" and not (field.data or "").strip():
            raise ValidationError(_l("Say what the record should say."))

    def validate_expedite_statement(self, field):
        if self.expedite.data and not (field.data or "").strip():
            raise ValidationError(_l("Say why it is urgent."))


class RequestMessageForm(FlaskForm):
    text = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write a message.")), Length(max=5000)])


class RequestMoveForm(FlaskForm):
    to_status = SelectField(_l("New status"), validators=[DataRequired()])
    note = TextAreaField(_l("Note to the requester (required for an extension)"), validators=[Length(max=5000)])


class ClosureDayForm(FlaskForm):
    day = DateField(_l("Day the office is closed"), validators=[DataRequired(_l("Enter the date."))])
    reason = StringField(_l("Reason (for example the executive order)"), validators=[
        DataRequired(_l("Give the reason.")), Length(max=200)])


class FeeEstimateForm(FlaskForm):
    search_hours = DecimalField(_l("Search time, in hours (quarter hours: 0.25)"), places=2, validators=[
        InputRequired(_l("Enter the hours (0 for none).")), NumberRange(min=0, max=1000)])
    review_hours = DecimalField(_l("Review time, in hours"), places=2, validators=[
        InputRequired(_l("Enter the hours (0 for none).")), NumberRange(min=0, max=1000)])
    pages = IntegerField(_l("Pages to copy"), validators=[
        InputRequired(_l("Enter the pages (0 for none).")), NumberRange(min=0, max=1_000_000)])


class ReplyForm(FlaskForm):
    """Staff's message: a reply template (sent in the requester's language), words, or both."""
    template = SelectField(_l("Reply template"), default="")
    text = TextAreaField(_l("Message"), validators=[Length(max=5000)])

    def validate_text(self, field):
        if not self.template.data and not (field.data or "").strip():
            raise ValidationError(_l("Write a message or choose a template."))


class ConsentCheckForm(FlaskForm):
    receipt_number = StringField(_l("Receipt number of the case the consent is about"), validators=[
        DataRequired(_l("Enter the receipt number.")), Length(max=13)])
    party_role = SelectField(_l("The person is the case's"), choices=[
        ("applicant", _l("Applicant")), ("beneficiary", _l("Beneficiary"))])


class ExpediteDecisionForm(FlaskForm):
    decision = RadioField(_l("Faster processing"), choices=[
        ("granted", _l("Grant")), ("denied", _l("Refuse"))], validators=[DataRequired(_l("Choose a decision."))])
    reason = TextAreaField(_l("Reason, told to the requester (required to refuse)"), validators=[Length(max=5000)])

    def validate_reason(self, field):
        if self.decision.data == "denied" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason for refusing."))


class ReferralForm(FlaskForm):
    agency = SelectField(_l("Agency"), choices=[(a, a) for a in ("ICE", "CBP", "DOS", "FBI", "EOIR")])
    tracking_number = StringField(_l("That agency's tracking number"), validators=[
        DataRequired(_l("Enter the tracking number the agency gave.")), Length(max=40)])
    scope = StringField(_l("Which records went to that agency"), validators=[Length(max=500)])


class ReferralStatusForm(FlaskForm):
    status = SelectField(_l("That agency's status"), choices=[
        ("referred", _l("Referred")), ("in_process", _l("Being worked on")),
        ("completed", _l("Answered by that agency")), ("closed", _l("Closed by that agency"))])


class WithheldItemForm(FlaskForm):
    description = StringField(_l("What is withheld"), validators=[
        DataRequired(_l("Say what is withheld.")), Length(max=300)])
    pages = IntegerField(_l("Pages"), default=0, validators=[
        InputRequired(_l("Enter the pages (0 for none).")), NumberRange(min=0, max=100_000)])
    exemption = SelectField(_l("Exemption"), validators=[DataRequired()])


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assigned to"), default="")
