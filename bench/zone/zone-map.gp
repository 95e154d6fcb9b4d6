# zone-map.gp: the zone map of `make bench-zone`, from zns store fill
# --zone-map (columns: puts so far, zone, live bytes, written bytes, state).
# Call with -e "data='FILE'; out='PNG'; cap=ZONE_CAP_BYTES; zones=N; title='...'".
set terminal pngcairo size 1100,800 font ",10"
set output out
set multiplot layout 2,1 title title
set xlabel "objects put"
set ylabel "zone"
set yrange [-0.5:zones - 0.5]
set xrange [0:*]
set cblabel "live bytes / zone capacity"
set cbrange [0:1]
set palette defined (0 "white", 0.5 "orange", 1 "dark-red")
set title "live data per zone over the run"
plot data using 1:2:($3 / cap) with image notitle
set title "zone state (0 EMPTY, 1 HEAD, 2 RETIRING, 3 FULL, 4 BAD)"
set cblabel "state"
set cbrange [0:4]
set palette defined (0 "white", 1 "green", 2 "yellow", 3 "steelblue", 4 "red")
plot data using 1:2:5 with image notitle
unset multiplot
