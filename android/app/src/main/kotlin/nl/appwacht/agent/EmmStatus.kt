package nl.appwacht.agent

import nl.appwacht.core.AgentStatus
import nl.appwacht.core.FindingOutcome

/** One keyed app state for the EMM console (androidx.enterprise limits: key 100, message and data 1000). */
data class KeyedState(val key: String, val error: Boolean, val message: String, val data: String)

/** Sends keyed app states to the EMM; the androidx.enterprise adapter implements it on the phone. */
interface KeyedStatusReporter {
    fun report(states: List<KeyedState>)
}

object EmmStatus {
    const val MAX_KEY = 100
    const val MAX_TEXT = 1000
    const val ROOT_WARNING_DAYS = 30L

    fun statesFor(status: AgentStatus): List<KeyedState> {
        val violations = status.findings.filter { it.outcome == FindingOutcome.DENIED }
        val states = mutableListOf(
            KeyedState(
                key = "compliance",
                error = !status.compliant,
                message = if (status.compliant) "compliant" else "${violations.size} app(s) violate the policy",
                data = violations.joinToString(",") { it.`package` },
            ),
            KeyedState(
                key = "policy",
                error = status.stale || status.policyVersion == null,
                message = status.policyVersion?.let { "version $it" + if (status.stale) ", expired" else "" } ?: "no policy yet",
                data = status.rulesHash ?: "",
            ),
            KeyedState(
                key = "sync",
                error = status.lastSyncError != null,
                message = status.lastSyncError ?: "last sync ${status.lastSync ?: "never"}",
                data = status.lastSync ?: "",
            ),
        )
        // The phone's clock cannot be believed: the EMM's administrator should see it (the app
        // makes automatic time mandatory; the core never depends on it).
        status.clockProblem?.let { states.add(KeyedState("clock", true, it, "")) }
        status.storeRecovered?.let { states.add(KeyedState("store", true, it, "")) }
        // A lapsed root stops every phone from accepting a new policy: warn 30 days ahead.
        val days = status.rootExpiresInDays
        if (days != null && days <= ROOT_WARNING_DAYS) {
            val message = if (days < 0) "the root expired on ${status.rootExpires}: no new policy is accepted until a new root is published"
            else "the root expires in $days day(s), on ${status.rootExpires}: rotate it before then"
            states.add(KeyedState("root", true, message, status.rootExpires ?: ""))
        }
        // The agent's mode and powers: an agent that only monitors is an error the EMM's
        // administrator must see (it cannot block anything), a delegate short of a power is not.
        status.management?.let { m ->
            states.add(KeyedState("management", m.monitorOnly, m.summary, m.scopes.joinToString(",")))
        }
        // Compliance records that cannot reach the organisation's log server, or were given up:
        // the fleet view is missing this phone, which the EMM's console should show.
        if (status.recordSinksFailing.isNotEmpty() || status.recordsDropped > 0uL) {
            val dropped = if (status.recordsDropped > 0uL) "; ${status.recordsDropped} given up by a full queue" else ""
            states.add(KeyedState("records", true, "${status.recordsWaiting} record(s) waiting$dropped", status.recordSinksFailing.joinToString("; ")))
        }
        for (f in violations) {
            states.add(KeyedState("app:${f.`package`}", true, "${f.action ?: "report"} under rule ${f.rule ?: "default"} since ${f.since}", f.reason))
            // What only the EMM can do (uninstall other apps): one state per app, severity error,
            // so its console shows the administrator what to remove and why.
            f.emmRequest?.let { states.add(KeyedState("remove:${f.`package`}", true, it, f.`package`)) }
        }
        return states.map { s ->
            s.copy(key = s.key.take(MAX_KEY), message = s.message.take(MAX_TEXT), data = s.data.take(MAX_TEXT))
        }
    }
}
