package io.jiomap.tck;

import org.junit.jupiter.api.AfterEach;

/**
 * The whole direct-I/O contract. A plugin runs it by extending this class in its tests and saying what to run it on:
 *
 * <pre>{@code
 * class MyFsDioContractTest extends DioContractTest {
 *     protected TckFixture fixture() {
 *         return new TckFixture(new MyFs(), new ScriptedDevices());
 *     }
 * }
 * }</pre>
 *
 * Tests that need something the fixture cannot do are skipped with a message naming it. A plugin that wants only
 * part of the contract implements the theme interfaces it wants and {@link ContractBase#tck()} itself.
 */
public abstract class DioContractTest implements WriteCompletionContract, SyncWriteContract, ReadContract,
        ErrorContract, BadInputContract, IrqOverwriteContract, DeadlockFreedomContract, DeviceContract {
    private TckSession session;

    /** The filesystem and device factory under test; called once per test. */
    protected abstract TckFixture fixture();

    @Override
    public final TckSession tck() {
        if (session == null) {
            session = new TckSession(fixture());
        }
        return session;
    }

    @AfterEach
    final void closeTckSession() {
        TckSession s = session;
        session = null;
        if (s != null) {
            s.close();
        }
    }
}
