package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.oracle.Model;
import org.junit.jupiter.api.Test;

class FsxClonesTest {
    private static final Program.Geometry GEOMETRY = new Program.Geometry(4096, 512, 64 << 10, 2);

    @Test
    void clonesWithinOneFileNeverOverlapAlsoThroughTwoHardLinksToIt() {
        int acrossLinks = 0;
        for (long seed = 1; seed <= 200; seed++) {
            Model model = new Model();
            Program program = new FsxProgram(seed, 60, FsxOp.of(FsxOp.WRITE, FsxOp.LINK, FsxOp.CLONE));
            int index = 0;
            for (Op op = program.next(model, GEOMETRY); op != null; op = program.next(model, GEOMETRY), index++) {
                switch (op) {
                    case Op.Create c -> model.create(index, c.path(), 0);
                    case Op.Write w -> model.write(index, w.path(), w.offset(), w.length(), model.nextWriteSeq());
                    case Op.Link l -> model.link(index, l.existing(), l.newPath());
                    case Op.Clone c -> {
                        if (model.sameFile(c.source(), c.target())) {
                            assertThat(c.targetOffset() + c.length() <= c.sourceOffset()
                                    || c.sourceOffset() + c.length() <= c.targetOffset())
                                    .as("seed %d op #%d %s: overlapping ranges of one file", seed, index, op)
                                    .isTrue();
                            if (!c.source().equals(c.target())) {
                                acrossLinks++;
                            }
                        }
                        model.cloneRange(index, c.source(), c.sourceOffset(), c.target(), c.targetOffset(),
                                c.length());
                    }
                    default -> {
                        // Sync and the fallback read change nothing the generator looks at.
                    }
                }
            }
        }
        assertThat(acrossLinks).as("clones between two names of one file").isPositive();
    }
}
