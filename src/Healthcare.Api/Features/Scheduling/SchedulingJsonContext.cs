using System.Text.Json.Serialization;
using Healthcare.Api.Platform;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>Generated serialization for the booking hot path (see <see cref="GeneratedJson"/>).</summary>
[JsonSerializable(typeof(AppointmentDto))]
[JsonSerializable(typeof(Page<AppointmentDto>))]
[JsonSerializable(typeof(BookAppointmentRequest))]
[JsonSerializable(typeof(MyBookingRequest))]
[JsonSerializable(typeof(CancelRequest))]
[JsonSerializable(typeof(PractitionerSlotsDto))]
[JsonSerializable(typeof(List<PractitionerSlotsDto>))]
internal sealed partial class SchedulingJsonContext : JsonSerializerContext;
