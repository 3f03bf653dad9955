package nl.appwacht.agent

import android.app.admin.DeviceAdminReceiver
import android.app.admin.DevicePolicyManager
import android.content.Context
import android.content.Intent
import android.os.BaseBundle

/**
 * The device-owner component (res/xml/device_admin.xml). On becoming owner the agent blocks its own
 * uninstall and sets the support message; the provisioning extras (policy URL, pinned root,
 * organisation, groups, from the QR code or the EMM) are kept as the base settings.
 */
class AdminReceiver : DeviceAdminReceiver() {
    override fun onProfileProvisioningComplete(context: Context, intent: Intent) {
        @Suppress("DEPRECATION")
        val extras = intent.getParcelableExtra<android.os.Parcelable>(DevicePolicyManager.EXTRA_PROVISIONING_ADMIN_EXTRAS_BUNDLE) as? BaseBundle
        AgentRuntime.saveProvisioned(context, BundleValues.read(extras))
        AgentApplication.start(context)
    }

    override fun onEnabled(context: Context, intent: Intent) {
        // Often before any settings exist: protectOnce waits for a configured agent and is tried
        // again at every start until it succeeds.
        AgentApplication.protectOnce(context)
    }
}
