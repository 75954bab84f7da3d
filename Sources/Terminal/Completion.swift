// Shell completion scripts generated from the command table, so they can never drift from the commands.

extension CLI {
    public func completionScript(shell: String) throws -> String {
        switch shell {
        case "bash": return bashScript()
        case "zsh": return zshScript()
        case "fish": return fishScript()
        default: throw UsageError("Unknown shell '\(shell)'; choose bash, zsh or fish.")
        }
    }

    /// Every command path with its subcommand names and option names.
    private func table() -> [(path: [String], subcommands: [String], options: [String])] {
        var rows: [(path: [String], subcommands: [String], options: [String])] = []
        func visit(_ command: CommandSpec, _ path: [String]) {
            rows.append((path, command.subcommands.map(\.name), command.options.map { "--" + $0.name } + ["--help"]))
            for sub in command.subcommands { visit(sub, path + [sub.name]) }
        }
        visit(root, [])
        return rows
    }

    private var functionName: String { "_" + root.name.lowercased() }

    func bashScript() -> String {
        var cases = ""
        for row in table() {
            let key = row.path.joined(separator: " ")
            let words = (row.subcommands + row.options).joined(separator: " ")
            cases += "        \"\(key)\") words=\"\(words)\" ;;\n"
        }
        return """
            # bash completion for \(root.name); load with: source <(\(root.name) --generate-completion-script bash)
            \(functionName)() {
                local current="${COMP_WORDS[COMP_CWORD]}"
                local path="" word
                for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
                    case "$word" in -*) ;; *) if [ -z "$path" ]; then candidate="$word"; else candidate="$path $word"; fi
                        case " $(\(functionName)_known) " in *"|$candidate|"*) path="$candidate" ;; esac ;;
                    esac
                done
                local words=""
                case "$path" in
            \(cases)    esac
                COMPREPLY=($(compgen -W "$words" -- "$current"))
            }
            \(functionName)_known() {
                echo "\(table().map { "|" + $0.path.joined(separator: " ") + "|" }.joined(separator: " "))"
            }
            complete -F \(functionName) \(root.name)

            """
    }

    func zshScript() -> String {
        var cases = ""
        for row in table() {
            let key = row.path.joined(separator: " ")
            cases +=
                "    \"\(key)\") words=(\(((row.subcommands + row.options).map { "'\($0)'" }).joined(separator: " "))) ;;\n"
        }
        return """
            #compdef \(root.name)
            # zsh completion for \(root.name); save as _\(root.name) on your fpath.
            \(functionName)() {
              local path="" candidate word
              local -a words known
              known=(\(table().map { "'" + $0.path.joined(separator: " ") + "'" }.joined(separator: " ")))
              for word in ${words[2,CURRENT-1]}; do :; done
              for word in ${(@)${(z)BUFFER}[2,CURRENT-1]}; do
                [[ $word == -* ]] && continue
                if [[ -z $path ]]; then candidate=$word; else candidate="$path $word"; fi
                (( ${known[(Ie)$candidate]} )) && path=$candidate
              done
              case "$path" in
            \(cases)  esac
              compadd -a words
            }
            compdef \(functionName) \(root.name)

            """
    }

    func fishScript() -> String {
        var lines = "# fish completion for \(root.name); save as ~/.config/fish/completions/\(root.name).fish\n"
        lines += "complete -c \(root.name) -f\n"
        for row in table() {
            let condition: String
            if row.path.isEmpty {
                condition = "__fish_use_subcommand"
            } else {
                condition = row.path.map { "__fish_seen_subcommand_from \($0)" }.joined(separator: "; and ")
            }
            for sub in row.subcommands {
                lines += "complete -c \(root.name) -n '\(condition)' -a '\(sub)'\n"
            }
            for option in row.options {
                lines += "complete -c \(root.name) -n '\(condition)' -l '\(option.dropFirst(2))'\n"
            }
        }
        return lines
    }
}
