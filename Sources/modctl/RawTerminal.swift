import Foundation

// The terminal settings to restore from a signal handler, which cannot capture context.
nonisolated(unsafe) private var savedTerminal = termios()
nonisolated(unsafe) private var terminalIsRaw = false

/// The terminal in single-keypress mode (no Enter, no echo), restored on exit, on Ctrl-C, and on
/// SIGTERM or SIGHUP.
final class RawTerminal {
    init() throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError("review needs an interactive terminal; in scripts use modctl approve and modctl reject")
        }
        tcgetattr(STDIN_FILENO, &savedTerminal)
        var raw = savedTerminal
        // Keypresses arrive one by one and unechoed; Ctrl-C arrives as a key so the loop can quit cleanly.
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
            bytes[Int(VMIN)] = 1
            bytes[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        terminalIsRaw = true
        for signal in [SIGTERM, SIGHUP, SIGQUIT] {
            Foundation.signal(signal) { number in
                if terminalIsRaw { tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTerminal) }
                Foundation.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    /// Reads one key; `nil` at end of input.
    func readKey() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count == 1 { return byte }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Reads a line with echo, for a free-text note.
    func readLine(prompt: String) -> String {
        write(prompt)
        var line: [UInt8] = []
        while let key = readKey() {
            switch key {
            case 0x0D, 0x0A: write("\n"); return String(decoding: line, as: UTF8.self)
            case 0x03, 0x1B: write("\n"); return ""
            case 0x7F, 0x08:
                if !line.isEmpty {
                    // Remove a whole UTF-8 character.
                    repeat { line.removeLast() } while !line.isEmpty && (line.last! & 0xC0) == 0x80
                    write("\u{8} \u{8}")
                }
            default:
                line.append(key)
                FileHandle.standardOutput.write(Data([key]))
            }
        }
        return String(decoding: line, as: UTF8.self)
    }

    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func clear() {
        write("\u{1B}[2J\u{1B}[H")
    }

    func restore() {
        if terminalIsRaw {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTerminal)
            terminalIsRaw = false
        }
    }

    deinit { restore() }
}
