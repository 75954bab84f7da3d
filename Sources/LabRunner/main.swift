// Entry point: runs the command table on the real terminal and exits with its status.
import Foundation
import Terminal

let status = LabRunnerApp.cli(environment: .live).run(Array(CommandLine.arguments.dropFirst()), console: .standard())
exit(status)
