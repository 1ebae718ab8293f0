"""Forms of the plan pages (the lead's; the other rollout forms live in forms.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional


class ReplanForm(FlaskForm):
    key = SelectField(_l("What changed"), validators=[InputRequired()])
    new_start = DateField(_l("New start (or go-live)"), validators=[Optional()])
    new_duration = IntegerField(_l("New duration (working days)"), validators=[Optional(), NumberRange(min=0)])
    actual_finish = DateField(_l("It actually finished on"), validators=[Optional()])
    preview = SubmitField(_l("Show the impact"))
    apply = SubmitField(_l("Apply this re-plan"))


STAGE_DEFAULTS = (20, 15, 30, 25, 140, 40)


class DefaultPlanForm(FlaskForm):
    start = DateField(_l("Start of stage 1"), validators=[InputRequired()])
    stage_1 = IntegerField(_l("Stage 1, overall planning (working days)"), default=STAGE_DEFAULTS[0],
                           validators=[InputRequired(), NumberRange(min=1, max=500)])
    stage_2 = IntegerField(_l("Stage 2, project initiation"), default=STAGE_DEFAULTS[1],
                           validators=[InputRequired(), NumberRange(min=1, max=500)])
    stage_3 = IntegerField(_l("Stage 3, business-process optimisation"), default=STAGE_DEFAULTS[2],
                           validators=[InputRequired(), NumberRange(min=1, max=500)])
    stage_4 = IntegerField(_l("Stage 4, product selection"), default=STAGE_DEFAULTS[3],
                           validators=[InputRequired(), NumberRange(min=1, max=500)])
    stage_5 = IntegerField(_l("Stage 5, implementation and application"), default=STAGE_DEFAULTS[4],
                           validators=[InputRequired(), NumberRange(min=1, max=1000)])
    stage_6 = IntegerField(_l("Stage 6, continuous improvement"), default=STAGE_DEFAULTS[5],
                           validators=[InputRequired(), NumberRange(min=1, max=500)])
    pilot_after_stage5_days = IntegerField(_l("From the start of stage 5 to the pilot go-live (working days)"),
                                           default=60, validators=[InputRequired(), NumberRange(min=0, max=500)])
    trial_days = IntegerField(_l("Trial period of each wave (working days)"), default=30,
                              validators=[InputRequired(), NumberRange(min=1, max=250)])
    wave_spacing_days = IntegerField(_l("Gap between a wave's trial end and the next go-live (working days)"),
                                     default=5, validators=[InputRequired(), NumberRange(min=0, max=250)])
    key_regions_per_wave = IntegerField(_l("Key regions per wave"), default=2,
                                        validators=[InputRequired(), NumberRange(min=1, max=50)])
    standard_regions_per_wave = IntegerField(_l("Standard regions per wave"), default=3,
                                             validators=[InputRequired(), NumberRange(min=1, max=50)])

    def values(self) -> dict:
        return {"start": self.start.data,
                "stage_durations": tuple(getattr(self, f"stage_{n}").data for n in range(1, 7)),
                "pilot_after_stage5_days": self.pilot_after_stage5_days.data, "trial_days": self.trial_days.data,
                "wave_spacing_days": self.wave_spacing_days.data,
                "key_regions_per_wave": self.key_regions_per_wave.data,
                "standard_regions_per_wave": self.standard_regions_per_wave.data}


