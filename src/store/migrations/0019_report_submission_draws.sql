-- 0019: the monthly table's submission to the city (issue 10; 002 二(五): 每月3日前报送上月数据):
-- which month's table the office sent and on which day. Its 工作台 clock (报送月度统计表) is
-- satisfied by this row.
CREATE TABLE report_submission (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2099),
    month         INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    submitted_on  TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (year, month)
);

-- 双随机、一公开 (001 art. 31): the result of a draw made on the province's platform — the day, what
-- it was for, the inspectors drawn (JSON array of names) and the institutions drawn, in order;
-- printed as the results list for publication.
CREATE TABLE random_draw (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    drawn_on    TEXT NOT NULL,
    title       TEXT NOT NULL,
    inspectors  TEXT NOT NULL DEFAULT '[]',
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX random_draw_drawn_on ON random_draw(drawn_on);

CREATE TABLE random_draw_institution (
    id              INTEGER PRIMARY KEY,
    draw_id         INTEGER NOT NULL REFERENCES random_draw(id),
    seq             INTEGER NOT NULL,
    institution_id  INTEGER NOT NULL REFERENCES institution(id),
    UNIQUE (draw_id, institution_id)
);
CREATE INDEX random_draw_institution_draw ON random_draw_institution(draw_id);
