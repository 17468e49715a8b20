using Hl7.Fhir.Model;
using Appointment = Hl7.Fhir.Model.Appointment;
using AppointmentStatus = Healthcare.Core.Scheduling.AppointmentStatus;
using ClinicEntity = Healthcare.Core.Clinics.Clinic;
using LocationEntity = Healthcare.Core.Clinics.Location;
using PatientEntity = Healthcare.Core.Patients.Patient;
using PractitionerEntity = Healthcare.Core.Practitioners.Practitioner;

namespace Healthcare.Core.Fhir;

/// <summary>
/// The native model as FHIR R4 resources (the mapping table is in docs/fhir.md). Ids are the native ids; times are
/// instants in UTC; references point at resources of this server. The API answers with them and the worker writes
/// them into bulk exports.
/// </summary>
public static class FhirMapping
{
    /// <summary>
    /// The system of the patient's record number (the record's id). The national id is not an identifier here: the
    /// native API never shows it whole either, and its exact lookup takes it in a request body, never in a URL.
    /// </summary>
    public const string RecordNumberSystem = "urn:healthcare-backend:patient";

    /// <summary>The system of visit types: the code is the native appointment type's id.</summary>
    public const string AppointmentTypeSystem = "urn:healthcare-backend:appointment-type";

    public static Patient ToFhir(this PatientEntity p)
    {
        var patient = new Patient
        {
            Id = p.Id.ToString(),
            Meta = Meta(p.Version, p.UpdatedAt == default ? p.CreatedAt : p.UpdatedAt),
            Active = true,
            Name = [new HumanName { Use = HumanName.NameUse.Official, Family = p.FamilyName, Given = [p.GivenName] }],
            Gender = p.Sex switch
            {
                "female" => AdministrativeGender.Female,
                "male" => AdministrativeGender.Male,
                "intersex" => AdministrativeGender.Other,
                _ => AdministrativeGender.Unknown,
            },
            BirthDate = p.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ManagingOrganization = Reference("Organization", p.ClinicId),
            Identifier =
            [
                new Identifier(RecordNumberSystem, p.Id.ToString())
                {
                    Use = Identifier.IdentifierUse.Usual,
                    Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number"),
                },
            ],
        };
        if (p.Phone is { Length: > 0 } phone)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, phone));
        }

        if (p.Email is { Length: > 0 } email)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Email, ContactPoint.ContactPointUse.Home, email));
        }

        if (p.Address is { } address)
        {
            patient.Address.Add(ToFhir(address));
        }

        if (p.PreferredLanguage is { Length: > 0 } language)
        {
            patient.Communication.Add(new Patient.CommunicationComponent
            {
                Language = new CodeableConcept("urn:ietf:bcp:47", language),
                Preferred = true,
            });
        }

        return patient;
    }

    public static Appointment ToFhir(this Core.Scheduling.Appointment a) => new AppointmentFields(
        a.Id, a.PatientId, a.PractitionerId, a.AppointmentTypeId, a.LocationId, a.Mode, a.Status, a.StartsAt, a.EndsAt,
        a.CancellationReason, a.CreatedAt, a.Version, a.UpdatedAt).ToFhir();

    public static Appointment ToFhir(this AppointmentFields a)
    {
        var appointment = new Appointment
        {
            Id = a.Id.ToString(),
            Meta = Meta(a.Version, a.UpdatedAt),
            Status = StatusOf(a.Status),
            Start = a.StartsAt.ToUniversalTime(),
            End = a.EndsAt.ToUniversalTime(),
            MinutesDuration = (int)(a.EndsAt - a.StartsAt).TotalMinutes,
            Created = a.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            AppointmentType = new CodeableConcept { Text = a.Mode.Replace('_', ' ') },
            ServiceType = [new CodeableConcept(AppointmentTypeSystem, a.AppointmentTypeId.ToString())],
            Participant =
            [
                Participant(Reference("Patient", a.PatientId)),
                Participant(Reference("Practitioner", a.PractitionerId)),
            ],
        };
        if (a.LocationId is { } location)
        {
            appointment.Participant.Add(Participant(Reference("Location", location)));
        }

        if (a.CancellationReason is { Length: > 0 } reason)
        {
            appointment.CancelationReason = new CodeableConcept { Text = reason };
        }

        return appointment;
    }

    public static Organization ToFhir(this ClinicEntity c)
    {
        var organization = new Organization { Id = c.Id.ToString(), Meta = Meta(c.Version, c.CreatedAt), Active = true, Name = c.Name };
        if (c.Phone is { Length: > 0 } phone)
        {
            organization.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Work, phone));
        }

        if (c.Address is { } address)
        {
            organization.Address.Add(ToFhir(address));
        }

        return organization;
    }

    public static Location ToFhir(this LocationEntity l)
    {
        var location = new Location
        {
            Id = l.Id.ToString(),
            Meta = Meta(l.Version, l.CreatedAt),
            Status = l.IsActive ? Location.LocationStatus.Active : Location.LocationStatus.Inactive,
            Name = l.Name,
            ManagingOrganization = Reference("Organization", l.ClinicId),
        };
        if (l.Address is { } address)
        {
            location.Address = ToFhir(address);
        }

        return location;
    }

    public static Practitioner ToFhir(this PractitionerEntity p) => new()
    {
        Id = p.Id.ToString(),
        Meta = Meta(p.Version, p.CreatedAt),
        Active = p.IsActive,
        Name = [new HumanName { Text = p.DisplayName, Prefix = p.Title is { Length: > 0 } title ? [title] : [] }],
        Identifier = [new Identifier("urn:healthcare-backend:licence", p.LicenceNumber)],
    };

    /// <summary>The native statuses as FHIR's; a lapsed hold is an appointment that never was.</summary>
    public static Appointment.AppointmentStatus StatusOf(string status) => status switch
    {
        AppointmentStatus.Held => Appointment.AppointmentStatus.Pending,
        AppointmentStatus.Booked => Appointment.AppointmentStatus.Booked,
        AppointmentStatus.CheckedIn => Appointment.AppointmentStatus.CheckedIn,
        AppointmentStatus.InProgress => Appointment.AppointmentStatus.Arrived,
        AppointmentStatus.Completed => Appointment.AppointmentStatus.Fulfilled,
        AppointmentStatus.NoShow => Appointment.AppointmentStatus.Noshow,
        _ => Appointment.AppointmentStatus.Cancelled,
    };

    /// <summary>The native statuses that a FHIR status stands for (search by status).</summary>
    public static string[] NativeStatusesOf(string fhirStatus) =>
        [.. AppointmentStatus.All.Where(s => StatusOf(s).ToString().Equals(fhirStatus.Replace("-", ""), StringComparison.OrdinalIgnoreCase))];

    public static ResourceReference Reference(string type, Guid id) => new($"{type}/{id}");

    private static Appointment.ParticipantComponent Participant(ResourceReference actor) => new()
    {
        Actor = actor,
        Required = Appointment.ParticipantRequired.Required,
        Status = ParticipationStatus.Accepted,
    };

    private static Address ToFhir(Core.Patients.Address a)
    {
        var address = new Address { City = a.City, State = a.Region, PostalCode = a.PostalCode, Country = a.Country };
        address.Line = new[] { a.Line1, a.Line2 }.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l!).ToList();
        return address;
    }

    public static Meta Meta(uint version, DateTimeOffset updated) =>
        new() { VersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = updated.ToUniversalTime() };
}

/// <summary>What FHIR shows of an appointment, from an entity or from the native API's read of one appointment.</summary>
public sealed record AppointmentFields(
    Guid Id,
    Guid PatientId,
    Guid PractitionerId,
    Guid AppointmentTypeId,
    Guid? LocationId,
    string Mode,
    string Status,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string? CancellationReason,
    DateTimeOffset CreatedAt,
    uint Version,
    DateTimeOffset UpdatedAt);
