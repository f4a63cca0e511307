using Appliance.Panel;

namespace Appliance.Devices.Panels;

/// <summary>
/// The command lines of the test panel (<see cref="SocketPanel"/>), parsed without the socket so the parser
/// can be fuzzed on its own (fuzz/).
/// </summary>
public static class PanelCommands
{
    /// <summary>
    /// The button event one line asks for, or null for <c>state</c>. Case and extra blanks do not matter;
    /// anything else is an ArgumentException that names the commands.
    /// </summary>
    public static ButtonEvent? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = line.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words) switch
        {
            "press approve" => new ButtonEvent(PanelButton.Approve, PressKind.Press),
            "press reject" => new ButtonEvent(PanelButton.Reject, PressKind.Press),
            "hold approve" => new ButtonEvent(PanelButton.Approve, PressKind.Hold),
            "state" => null,
            _ => throw new ArgumentException("unknown command; use 'press approve', 'press reject', 'hold approve' or 'state'"),
        };
    }
}
