package nl.appwacht.agent

/** What the helpdesk commands need from the agent (the app's runtime, or a test double). */
interface HelpdeskAgent {
    fun report(): String
    fun status(): String
    fun scan(): String
    fun sync(): String
    fun explain(packageName: String): String
}

/**
 * `adb shell dumpsys activity service nl.appwacht.agent/.AgentAdminService [command]`:
 * no command prints the full report; `status`, `scan`, `sync`, `explain <package>`, `help`.
 */
object DumpCommands {
    val USAGE = """
        |Appwacht helpdesk commands:
        |  (none)              the full compliance report
        |  status              policy, last sync, violations
        |  scan                a full scan now, then what it did
        |  sync                fetch the policy now, then what happened
        |  explain <package>   why an app is (or is not) blocked
        |  help                this text
        """.trimMargin()

    sealed class Command {
        object Report : Command()
        object Status : Command()
        object Scan : Command()
        object Sync : Command()
        data class Explain(val packageName: String) : Command()
        data class Usage(val problem: String?) : Command()
    }

    fun parse(args: Array<String>): Command {
        val words = args.map { it.trim() }.filter { it.isNotEmpty() }
        return when (words.firstOrNull()?.lowercase()) {
            null, "report" -> if (words.size <= 1) Command.Report else Command.Usage("`report` takes no argument")
            "status" -> Command.Status
            "scan" -> Command.Scan
            "sync" -> Command.Sync
            "explain" -> when (words.size) {
                2 -> if (PACKAGE.matches(words[1])) Command.Explain(words[1]) else Command.Usage("`${words[1]}` is not a package name")
                else -> Command.Usage("`explain` needs one package name")
            }
            "help", "-h", "--help" -> Command.Usage(null)
            else -> Command.Usage("unknown command `${words[0]}`")
        }
    }

    fun run(args: Array<String>, agent: HelpdeskAgent): String = when (val c = parse(args)) {
        Command.Report -> agent.report()
        Command.Status -> agent.status()
        Command.Scan -> agent.scan()
        Command.Sync -> agent.sync()
        is Command.Explain -> agent.explain(c.packageName)
        is Command.Usage -> (c.problem?.let { "$it\n\n" } ?: "") + USAGE
    }

    private val PACKAGE = Regex("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)+")
}
