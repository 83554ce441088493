package io.jiomap.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeTableTest {
    private final NodeTable table = new NodeTable(0);

    @Test
    void theRootIsNodeOneAtSlash() {
        assertThat(table.path(FuseAbi.ROOT_ID)).isEqualTo("/");
        assertThat(table.child(FuseAbi.ROOT_ID, "a")).isEqualTo("/a");
    }

    @Test
    void lookingUpAPathTwiceGivesTheSameNodeAndItStaysUntilEveryLookupIsForgotten() {
        NodeTable.Node a = table.lookedUp("/a");
        NodeTable.Node again = table.lookedUp("/a");

        assertThat(again).isSameAs(a);
        table.forget(a.id, 1);
        assertThat(table.get(a.id)).isSameAs(a);
        table.forget(a.id, 1);
        assertThat(table.get(a.id)).isNull();
        assertThat(table.lookedUp("/a").id).isNotEqualTo(a.id);
    }

    @Test
    void aRenameMovesTheNodeAndEverythingUnderItAndTheReplacedNodeLosesItsName() {
        NodeTable.Node dir = table.lookedUp("/d");
        NodeTable.Node file = table.lookedUp("/d/sub/f");
        NodeTable.Node sibling = table.lookedUp("/dx");
        NodeTable.Node replaced = table.lookedUp("/e");

        table.renamed("/d", "/e");

        assertThat(table.path(dir.id)).isEqualTo("/e");
        assertThat(table.path(file.id)).isEqualTo("/e/sub/f");
        assertThat(table.path(sibling.id)).isEqualTo("/dx");
        assertThat(table.path(replaced.id)).isNull();
        assertThat(table.lookedUp("/e/sub/f")).isSameAs(file);
    }

    @Test
    void aRemovedNameLeavesTheNodeWithoutAPathUntilForgotten() {
        NodeTable.Node f = table.lookedUp("/f");

        table.removed("/f");

        assertThat(table.get(f.id)).isSameAs(f);
        assertThat(table.path(f.id)).isNull();
        assertThat(table.lookedUp("/f")).isNotSameAs(f);
    }

    @Test
    void theRootIsNeverForgotten() {
        table.forget(FuseAbi.ROOT_ID, 100);

        assertThat(table.path(FuseAbi.ROOT_ID)).isEqualTo("/");
    }
}
