using System.Text.Json.Serialization;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Features.Practitioners;
using Healthcare.Api.Features.Scheduling;

namespace Healthcare.Api.Platform;

/// <summary>
/// Serialization code generated at build time for the busiest request and response types, so the hot paths
/// skip reflection-based metadata. It is first in the resolver chain; other types fall back to reflection.
/// Naming, enum and unmapped-member rules come from the API's shared options, whichever resolver answers.
/// </summary>
[JsonSerializable(typeof(AppointmentDto))]
[JsonSerializable(typeof(Page<AppointmentDto>))]
[JsonSerializable(typeof(BookAppointmentRequest))]
[JsonSerializable(typeof(MyBookingRequest))]
[JsonSerializable(typeof(CancelRequest))]
[JsonSerializable(typeof(PractitionerSlotsDto))]
[JsonSerializable(typeof(List<PractitionerSlotsDto>))]
[JsonSerializable(typeof(PractitionerDto))]
[JsonSerializable(typeof(Page<PractitionerDto>))]
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
