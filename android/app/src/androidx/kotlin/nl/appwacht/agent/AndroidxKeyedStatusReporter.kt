package nl.appwacht.agent

import android.content.Context
import androidx.enterprise.feedback.KeyedAppState
import androidx.enterprise.feedback.KeyedAppStatesReporter

/**
 * Keyed app states to the EMM console through androidx.enterprise. Built only by Gradle (the CI
 * machines have no androidx); everything else talks to [KeyedStatusReporter].
 */
class AndroidxKeyedStatusReporter(context: Context) : KeyedStatusReporter {
    private val reporter = KeyedAppStatesReporter.create(context)

    override fun report(states: List<KeyedState>) {
        reporter.setStates(
            states.map {
                KeyedAppState.builder()
                    .setKey(it.key)
                    .setSeverity(if (it.error) KeyedAppState.SEVERITY_ERROR else KeyedAppState.SEVERITY_INFO)
                    .setMessage(it.message)
                    .setData(it.data)
                    .build()
            },
            null,
        )
    }
}
