"""Courses of a programme's curriculum: full create, read, update and delete through planner/training/services, as
on the course pages (audit, the title check and the refusal to delete a course with sessions included)."""
from datetime import datetime
from typing import Annotated

from pydantic import Field

from planner.api.framework import Resource
from planner.api.schemas import InputModel, Name, OutputModel, Text, partial
from planner.core.permissions import Permission
from planner.training import queries, services
from planner.training.models import Course, CourseFormat

#: a course or session lasts 5 minutes to 48 hours (the table's check)
Minutes = Annotated[int, Field(ge=services.MIN_DURATION_MINUTES, le=services.MAX_DURATION_MINUTES)]


class CourseOut(OutputModel):
    id: int
    programme_id: int
    title: str
    description: str
    duration_minutes: int
    format: CourseFormat
    #: web addresses of material handed out in advance, one per line
    material_links: str
    version: int
    created_at: datetime
    updated_at: datetime


class CourseCreate(InputModel):
    """A course: what it covers, how long it lasts, how it is given, and material handed out in advance."""

    title: Name(200)
    format: CourseFormat = CourseFormat.CLASSROOM
    duration_minutes: Minutes = 120
    description: Text(5000) = ""
    material_links: Text(20000) = Field(default="", description="http(s) addresses, one per line (at most 50).")


class Courses(Resource):
    name = "courses"
    title = "course"
    model = Course
    out = CourseOut
    create_schema = CourseCreate
    update_schema = partial(CourseCreate, "CourseUpdate")
    read = Permission.PROGRAMME_VIEW
    write = Permission.TRAINING_MANAGE

    def collection(self, programme):
        return queries.courses_of(programme.id)

    def create(self, programme, values):
        return services.create_course(programme, **values)

    def update(self, course, values, expected_version):
        services.update_course(course, expected_version=expected_version, **values)

    def delete(self, course):
        services.delete_course(course)


resource = Courses()
